namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ciopulse.WebhookLogQuery")]
public sealed record WebhookLogQuery(
    [property: Id(0)] WebhookStatus? Status,
    [property: Id(1)] ListeningPost? ListeningPost,
    [property: Id(2)] int Limit,
    [property: Id(3)] string? Cursor);
