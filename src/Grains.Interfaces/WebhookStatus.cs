namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.WebhookStatus")]
public enum WebhookStatus
{
    InProgress = 0,
    Succeeded = 1,
    Failed = 2,
}
