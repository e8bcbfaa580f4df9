namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The answer to a bulk resend start: the operation that started, or why none did (another one of
/// the account's is running, or the filter matches more webhooks than one operation may take).
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendStartResult")]
public sealed record BulkResendStartResult(
    [property: Id(0)] BulkResendProgress? Started,
    [property: Id(1)] string? RunningOperationId,
    [property: Id(2)] long? TooManyCount)
{
    public static BulkResendStartResult StartedAs(BulkResendProgress progress) => new(progress, null, null);

    public static BulkResendStartResult Busy(string runningOperationId) => new(null, runningOperationId, null);

    public static BulkResendStartResult TooMany(long count) => new(null, null, count);
}
