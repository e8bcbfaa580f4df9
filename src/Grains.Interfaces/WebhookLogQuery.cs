namespace CIOPulse.Grains.Interfaces;

/// <param name="Search">A Webhook_ID or a Response_ID (exact), or null for every webhook.</param>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookLogQuery")]
public sealed record WebhookLogQuery(
    [property: Id(0)] WebhookStatus? Status,
    [property: Id(1)] ListeningPost? ListeningPost,
    [property: Id(2)] int Limit,
    [property: Id(3)] string? Cursor,
    [property: Id(4)] string? Search = null);
