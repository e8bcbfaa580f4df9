namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One row of the Webhook Log. <see cref="Test"/> marks a test webhook ("Send test" in the settings),
/// not a survey's. <see cref="Expired"/>: its payload and response bodies were removed after the
/// retention (<c>Webhooks:RetentionDays</c>); the row, its codes and times stay.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookLogItem")]
public sealed record WebhookLogItem(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string ResponseId,
    [property: Id(2)] ListeningPost ListeningPost,
    [property: Id(3)] DateTime LastActivityUtc,
    [property: Id(4)] int? LastResponseCode,
    [property: Id(5)] string? LastResponse,
    [property: Id(6)] int Attempts,
    [property: Id(7)] WebhookStatus Status,
    [property: Id(8)] bool Test = false,
    [property: Id(9)] bool Expired = false);
