using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains.BulkResend;

/// <summary>
/// Runs one bulk resend operation: walks its fixed list of ids (in chunks) at the operation's rate
/// with at most <see cref="WebhookOptions.BulkResendMaxInFlight"/> attempts in flight, each through
/// <see cref="IWebhookDeliveryGrain.ResendForOperation"/>, which makes at most one attempt per
/// operation and answers its outcome. Progress is checkpointed (the contiguous prefix done and its
/// counts, <see cref="BulkResendTracker"/>) every <see cref="CheckpointInterval"/>; a reminder is
/// registered while it runs, so after a silo's death the operation resumes from its checkpoint on
/// another activation and replays the rest, and the delivery grains make no attempt twice.
/// </summary>
/// <remarks>
/// The walk runs in a grain timer that interleaves, so progress reads and a cancel are answered while
/// it waits; its writes and theirs go one at a time (<see cref="_lastWrite"/>).
/// </remarks>
public sealed partial class BulkResendGrain(
    [PersistentState("operation", StorageNames.BulkResends)] IPersistentState<BulkResendState> operation,
    GrainReferences grains,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<BulkResendGrain> logger) : Grain, IBulkResendGrain, IRemindable
{
    public const string ReminderName = "bulk-resend";

    /// <summary>How often a running operation stores its progress (at most that much is replayed after a crash).</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a failed call to a webhook waits before it is made again (it is idempotent).</summary>
    public static readonly TimeSpan CallRetryDelay = TimeSpan.FromSeconds(1);

    // The last state write: the next one waits for it (two writes at once would conflict on the ETag).
    private Task _lastWrite = Task.CompletedTask;
    private BulkResendTracker? _tracker;
    private IGrainTimer? _run;
    private bool _cancelRequested;

    private BulkResendState State => operation.State;

    private string OperationId => this.GetPrimaryKeyString();

    private TimeSpan WatchdogPeriod => new RetrySchedule(options.Value.EffectiveRetryDelays).WatchdogPeriod;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State is { Exists: true, Status: BulkResendStatus.Running })
        {
            LogResuming(OperationId, State.Position, State.Total);
            StartRun();
        }

        return Task.CompletedTask;
    }

    public async Task<BulkResendProgress> Start(BulkResendDefinition definition)
    {
        if (State.Exists)
        {
            return Progress();
        }

        // The reminder before the state: a state that says Running always has a reminder to resume it
        // (a reminder without a state unregisters itself).
        await this.RegisterOrUpdateReminder(ReminderName, WatchdogPeriod, WatchdogPeriod);
        State.AccountId = definition.AccountId;
        State.Filter = definition.Filter;
        State.RatePerSecond = definition.RatePerSecond;
        State.Total = definition.Total;
        State.StartedUtc = definition.StartedUtc;
        State.Status = BulkResendStatus.Running;
        await WriteAsync();
        LogStarted(OperationId, definition.AccountId, definition.Total, definition.RatePerSecond);
        StartRun();
        return Progress();
    }

    public Task<BulkResendProgress?> GetProgress(string accountId) =>
        Task.FromResult(State.Exists && State.AccountId == accountId ? Progress() : null);

    public async Task<BulkResendProgress?> Cancel(string accountId)
    {
        if (!State.Exists || State.AccountId != accountId)
        {
            return null;
        }

        if (State.Status == BulkResendStatus.Running)
        {
            _cancelRequested = true;
            State.Status = BulkResendStatus.Cancelled;
            State.FinishedUtc = timeProvider.GetUtcNow().UtcDateTime;
            await CheckpointAsync();
            await UnregisterReminderAsync();
            LogCancelled(OperationId, _tracker?.Done ?? State.Position, State.Total);
        }

        return Progress();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State is not { Exists: true, Status: BulkResendStatus.Running })
        {
            await UnregisterReminderAsync();
            return;
        }

        StartRun();
    }

    private BulkResendProgress Progress()
    {
        var (done, succeeded, failed) = _tracker is { } tracker ? (tracker.Done, tracker.Succeeded, tracker.Failed) : (State.Position, State.Succeeded, State.Failed);
        return new BulkResendProgress(OperationId, State.Status, State.Total, done, succeeded, failed, State.StartedUtc, State.FinishedUtc, State.Filter!, State.RatePerSecond);
    }

    private void StartRun()
    {
        if (_run is not null)
        {
            return;
        }

        _run = this.RegisterGrainTimer(
            async cancellationToken =>
            {
                try
                {
                    await RunAsync(cancellationToken);
                }
                finally
                {
                    _run?.Dispose();
                    _run = null;
                }
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    private async Task RunAsync(CancellationToken timerToken)
    {
        // Stopped when the timer is disposed (deactivation) or the silo shuts down: the calls to
        // webhooks would only fail and be retried until then; the next activation resumes instead.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timerToken, lifetime.ApplicationStopping);
        var token = stop.Token;
        var tracker = _tracker = new BulkResendTracker(State.Position, State.Succeeded, State.Failed);
        var pacer = new BulkResendPacer(State.RatePerSecond);
        var maxInFlight = options.Value.BulkResendMaxInFlight;
        var inFlight = new HashSet<Task>();
        var origin = timeProvider.GetTimestamp();
        var lastCheckpoint = origin;
        IReadOnlyList<string> chunk = [];
        var chunkNumber = -1;

        for (var index = State.Position; index < State.Total && !_cancelRequested && !token.IsCancellationRequested; index++)
        {
            while (inFlight.Count >= maxInFlight)
            {
                inFlight.Remove(await Task.WhenAny(inFlight));
            }

            var wait = pacer.WaitBeforeNext(timeProvider.GetElapsedTime(origin));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, timeProvider, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            }

            if (_cancelRequested || token.IsCancellationRequested)
            {
                break;
            }

            if (index / IBulkResendChunkGrain.Capacity != chunkNumber)
            {
                chunkNumber = index / IBulkResendChunkGrain.Capacity;
                chunk = await grains.Get<IBulkResendChunkGrain>(BulkResendChunkGrain.Key(OperationId, chunkNumber)).Read();
            }

            pacer.Started();
            inFlight.Add(ResendAsync(tracker, index, chunk[index % IBulkResendChunkGrain.Capacity], token));
            if (timeProvider.GetElapsedTime(lastCheckpoint) >= CheckpointInterval)
            {
                lastCheckpoint = timeProvider.GetTimestamp();
                await CheckpointAsync();
            }
        }

        await Task.WhenAll(inFlight);
        if (token.IsCancellationRequested)
        {
            // Deactivating (a silo shutting down): the next activation goes on from the checkpoint.
            try
            {
                await CheckpointAsync();
            }
            catch (Exception e)
            {
                // The storage may be going away too; the last checkpoint stands and is replayed from.
                LogCheckpointFailed(OperationId, e);
            }

            return;
        }

        if (State.Status == BulkResendStatus.Running && tracker.Position >= State.Total)
        {
            State.Status = BulkResendStatus.Completed;
            State.FinishedUtc = timeProvider.GetUtcNow().UtcDateTime;
            LogCompleted(OperationId, State.Total, tracker.Succeeded, tracker.Failed);
        }

        await CheckpointAsync();
        if (State.Status != BulkResendStatus.Running)
        {
            await UnregisterReminderAsync();
        }
    }

    /// <summary>One webhook's resend, made again after a failed call until it answers (the call is idempotent).</summary>
    private async Task ResendAsync(BulkResendTracker tracker, int index, string webhookId, CancellationToken token)
    {
        while (true)
        {
            try
            {
                var outcome = await grains.Get<IWebhookDeliveryGrain>(webhookId).ResendForOperation(State.AccountId!, OperationId);
                tracker.Complete(index, outcome);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogCallFailed(OperationId, webhookId, e);
                await Task.Delay(CallRetryDelay, timeProvider, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (token.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Stores the prefix done and its counts (with the status as it stands).</summary>
    private async Task CheckpointAsync()
    {
        if (_tracker is { } tracker)
        {
            State.Position = tracker.Position;
            State.Succeeded = tracker.PrefixSucceeded;
            State.Failed = tracker.PrefixFailed;
        }

        await WriteAsync();
    }

    private Task WriteAsync() => _lastWrite = WriteAfterAsync(_lastWrite);

    private async Task WriteAfterAsync(Task previous)
    {
        // Whatever became of the previous write, this one stores the whole state as it is now.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await operation.WriteStateAsync();
    }

    private async Task UnregisterReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk resend {OperationId} of account {AccountId} started: {Total} webhooks at {RatePerSecond}/s")]
    private partial void LogStarted(string operationId, string accountId, int total, int ratePerSecond);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk resend {OperationId} resumes at {Position} of {Total}")]
    private partial void LogResuming(string operationId, int position, int total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk resend {OperationId} completed: {Total} webhooks, {Succeeded} succeeded, {Failed} failed")]
    private partial void LogCompleted(string operationId, int total, int succeeded, int failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk resend {OperationId} cancelled after {Done} of {Total}")]
    private partial void LogCancelled(string operationId, int done, int total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk resend {OperationId}: the last checkpoint could not be stored while stopping; the next activation replays from the one before")]
    private partial void LogCheckpointFailed(string operationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulk resend {OperationId}: the call to webhook {WebhookId} failed; it is made again")]
    private partial void LogCallFailed(string operationId, string webhookId, Exception exception);
}
