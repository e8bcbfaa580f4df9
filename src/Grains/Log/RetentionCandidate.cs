namespace CIOPulse.Grains.Log;

/// <summary>
/// A webhook the retention sweep may expire, as its current log row stands; also the keyset position
/// after which the sweep's next batch starts (oldest last activity first, then Webhook ID).
/// </summary>
public sealed record RetentionCandidate(string WebhookId, DateTime LastActivityUtc);
