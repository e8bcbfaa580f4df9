namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.SettingsUpdateOutcome")]
public enum SettingsUpdateOutcome
{
    Updated = 0,
    AccountNotFound = 1,
    PlanDoesNotAllowWebhooks = 2,
    Invalid = 3,
}

/// <summary>The outcome of a settings change; on <see cref="SettingsUpdateOutcome.Invalid"/> names the field.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.SettingsUpdateResult")]
public sealed record SettingsUpdateResult(
    [property: Id(0)] SettingsUpdateOutcome Outcome,
    [property: Id(1)] WebhookSettings? Settings = null,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] string? Error = null);
