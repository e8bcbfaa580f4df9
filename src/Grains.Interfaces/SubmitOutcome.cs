namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.SubmitOutcome")]
public enum SubmitOutcome
{
    /// <summary>A new webhook was persisted, its reminder registered, and its first attempt started.</summary>
    Accepted = 0,

    /// <summary>The same completion was posted before; nothing new was triggered.</summary>
    Duplicate = 1,

    /// <summary>Webhooks are off (or the plan does not allow them); nothing was triggered.</summary>
    WebhooksOff = 2,

    AccountNotFound = 3,
}

[GenerateSerializer, Immutable, Alias("ciopulse.SubmitResult")]
public sealed record SubmitResult(
    [property: Id(0)] SubmitOutcome Outcome,
    [property: Id(1)] string? WebhookId = null,
    [property: Id(2)] string? Reason = null);
