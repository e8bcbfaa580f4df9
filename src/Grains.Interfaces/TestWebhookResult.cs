namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.TestWebhookOutcome")]
public enum TestWebhookOutcome
{
    /// <summary>The test webhook was made and its one automatic attempt finished (whatever the receiver answered).</summary>
    Sent = 0,

    AccountNotFound = 1,

    /// <summary>The account's plan does not allow webhooks (Standard): nothing was sent.</summary>
    PlanDoesNotAllowWebhooks = 2,

    /// <summary>No webhook URL is saved: nothing was sent.</summary>
    NoUrl = 3,
}

/// <summary>
/// The answer to a "Send test": the test webhook's id and its first attempt as recorded in the log
/// (when <see cref="Outcome"/> is <see cref="TestWebhookOutcome.Sent"/>), or why nothing was sent.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.TestWebhookResult")]
public sealed record TestWebhookResult(
    [property: Id(0)] TestWebhookOutcome Outcome,
    [property: Id(1)] string? WebhookId = null,
    [property: Id(2)] AttemptRecord? Attempt = null,
    [property: Id(3)] string? Reason = null);
