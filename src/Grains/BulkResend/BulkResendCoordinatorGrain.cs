using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains.BulkResend;

/// <summary>
/// An account's bulk resends. Not reentrant, so two starts at once are one after the other and the
/// second meets the first's running operation. A start fixes the set: the matching ids, read once,
/// go to write-once chunks before the operation starts; it never queries the log again.
/// </summary>
public sealed class BulkResendCoordinatorGrain(
    [PersistentState("coordinator", StorageNames.BulkResends)] IPersistentState<BulkResendCoordinatorState> coordinator,
    IWebhookLogStore logStore,
    GrainReferences grains,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider) : Grain, IBulkResendCoordinatorGrain
{
    private string AccountId => this.GetPrimaryKeyString();

    public Task<long> Count(BulkResendFilter filter) => logStore.CountAsync(AccountId, ToLogFilter(filter));

    public async Task<BulkResendStartResult> Start(BulkResendFilter filter, int? ratePerSecond)
    {
        var rate = ratePerSecond ?? options.Value.BulkResendRatePerSecond;
        if (rate < 1 || rate > options.Value.BulkResendMaxRatePerSecond)
        {
            return BulkResendStartResult.RateTooHigh(options.Value.BulkResendMaxRatePerSecond);
        }

        if (await GetRunning() is { } running)
        {
            return BulkResendStartResult.Busy(running.Id);
        }

        var max = options.Value.BulkResendMaxWebhooks;
        var logFilter = ToLogFilter(filter);
        var ids = await logStore.ListIdsAsync(AccountId, logFilter, max + 1);
        if (ids.Count > max)
        {
            return BulkResendStartResult.TooMany(await logStore.CountAsync(AccountId, logFilter), max);
        }

        var operationId = BulkResendIds.New();
        await Task.WhenAll(ids.Chunk(IBulkResendChunkGrain.Capacity).Select((chunk, n) =>
            grains.Get<IBulkResendChunkGrain>(BulkResendChunkGrain.Key(operationId, n)).Write(chunk)));

        // Known as the running one before it starts, so there is never a running operation this
        // grain does not know of (one that never started reads as not running).
        coordinator.State.LastOperationId = operationId;
        await coordinator.WriteStateAsync();

        var progress = await grains.Get<IBulkResendGrain>(operationId).Start(
            new BulkResendDefinition(AccountId, filter, rate, ids.Count, timeProvider.GetUtcNow().UtcDateTime));
        return BulkResendStartResult.StartedAs(progress);
    }

    public async Task<BulkResendProgress?> GetRunning() =>
        coordinator.State.LastOperationId is { } last
        && await grains.Get<IBulkResendGrain>(last).GetProgress(AccountId) is { Status: BulkResendStatus.Running } progress
            ? progress
            : null;

    public static WebhookLogFilter ToLogFilter(BulkResendFilter filter) =>
        new(filter.Status, filter.ListeningPost, Search: null, filter.LastActivityFromUtc, filter.LastActivityUntilUtc, filter.LastResponseCode);
}
