namespace CIOPulse.Grains.Interfaces;

/// <summary>The exact body a completion would be POSTed with, plain and in the ServiceNow wrapper.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.PayloadPreview")]
public sealed record PayloadPreview(
    [property: Id(0)] string WebhookId,
    [property: Id(1)] string Plain,
    [property: Id(2)] string Wrapped);
