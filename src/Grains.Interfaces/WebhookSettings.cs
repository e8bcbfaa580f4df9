namespace CIOPulse.Grains.Interfaces;

/// <summary>The settings as an administrator reads them: the password itself never leaves the grain.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookSettings")]
public sealed record WebhookSettings(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Username,
    [property: Id(3)] bool HasPassword,
    [property: Id(4)] bool ServiceNowWrapper);
