namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The answer to a bulk resend start: the operation that started, or why none did (another one of
/// the account's is running, the filter matches more webhooks than one operation may take, or the
/// rate asked for is over the highest allowed).
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendStartResult")]
public sealed record BulkResendStartResult(
    [property: Id(0)] BulkResendProgress? Started,
    [property: Id(1)] string? RunningOperationId,
    [property: Id(2)] long? TooManyCount,
    [property: Id(3)] int? MaxWebhooks = null,
    [property: Id(4)] int? MaxRatePerSecond = null)
{
    public static BulkResendStartResult StartedAs(BulkResendProgress progress) => new(progress, null, null);

    public static BulkResendStartResult Busy(string runningOperationId) => new(null, runningOperationId, null);

    public static BulkResendStartResult TooMany(long count, int maxWebhooks) => new(null, null, count, maxWebhooks);

    public static BulkResendStartResult RateTooHigh(int maxRatePerSecond) => new(null, null, null, null, maxRatePerSecond);
}
