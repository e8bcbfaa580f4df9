namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One Webhook Log entry with the body it POSTs and every attempt. Once <see cref="ExpiredUtc"/> is
/// set, the retention removed the payload (empty) and every attempt's response body (null).
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookDetail")]
public sealed record WebhookDetail(
    [property: Id(0)] WebhookLogItem Item,
    [property: Id(1)] string Payload,
    [property: Id(2)] IReadOnlyList<AttemptRecord> AttemptHistory,
    [property: Id(3)] DateTime? NextAttemptDueUtc,
    [property: Id(4)] DateTime? ExpiredUtc = null);
