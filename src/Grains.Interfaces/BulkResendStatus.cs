namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.BulkResendStatus")]
public enum BulkResendStatus
{
    Running = 0,
    Completed = 1,
    Cancelled = 2,
}
