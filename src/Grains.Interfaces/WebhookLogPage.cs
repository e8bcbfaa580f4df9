namespace CIOPulse.Grains.Interfaces;

/// <summary>A page of the log, or <see cref="Error"/> when the cursor is not one this service issued.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookLogPage")]
public sealed record WebhookLogPage(
    [property: Id(0)] IReadOnlyList<WebhookLogItem> Items,
    [property: Id(1)] string? NextCursor,
    [property: Id(2)] string? Error = null);
