namespace CIOPulse.Grains.BulkResend;

[GenerateSerializer, Alias("ciopulse.BulkResendChunkState")]
public sealed class BulkResendChunkState
{
    [Id(0)] public List<string> WebhookIds { get; set; } = [];
}
