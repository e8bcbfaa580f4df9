using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// An account's bulk resends (key: the account id): counts what a filter would resend, and starts an
/// operation, at most one running per account (the account has one destination, so an operation's
/// rate is the destination's bound).
/// </summary>
[Alias("ciopulse.IBulkResendCoordinatorGrain")]
public interface IBulkResendCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>How many of the account's webhooks match the filter now (the dry run).</summary>
    [AlwaysInterleave, Alias("Count")]
    Task<long> Count(BulkResendFilter filter);

    /// <summary>
    /// Fixes the matching set and starts an operation over it, at <paramref name="ratePerSecond"/>
    /// resends a second (null: the configured default, Webhooks:BulkResendRatePerSecond).
    /// </summary>
    [Alias("Start")]
    Task<BulkResendStartResult> Start(BulkResendFilter filter, int? ratePerSecond);

    /// <summary>The operation running now, if any.</summary>
    [Alias("GetRunning")]
    Task<BulkResendProgress?> GetRunning();
}
