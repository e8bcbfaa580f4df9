namespace CIOPulse.Grains.BulkResend;

[GenerateSerializer, Alias("ciopulse.BulkResendCoordinatorState")]
public sealed class BulkResendCoordinatorState
{
    /// <summary>The account's last started operation (running unless its own state says otherwise).</summary>
    [Id(0)] public string? LastOperationId { get; set; }
}
