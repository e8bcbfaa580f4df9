using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Storage;

namespace CIOPulse.Grains;

/// <summary>
/// Delivers one webhook. Every change of intent is persisted together with an Orleans reminder due
/// when the next thing must happen (an attempt, or the check that an attempt in flight finished), so
/// whichever silo holds the reminder wakes the grain after a crash. Attempts themselves run in a
/// one-shot grain timer, which is not reentrant, so attempts never overlap.
/// </summary>
/// <remarks>
/// The state is read lazily rather than through <c>[PersistentState]</c>: nearly every activation
/// starts with <see cref="Accept"/> of a new webhook, whose state is created by an insert that
/// fails if the row exists; only then (a repeated completion) is it read. That saves a database
/// round trip on every accepted completion.
/// </remarks>
[PreferLocalPlacement] // activated where the completion arrived (or its reminder fired): no cross-silo hop per webhook
public sealed partial class WebhookDeliveryGrain(
    [FromKeyedServices(StorageNames.Webhooks)] IGrainStorage storage,
    WebhookSender sender,
    GrainReferences grains,
    IWebhookLogStore logStore,
    IAtomicWrites atomicWrites,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookDeliveryGrain> logger) : Grain, IWebhookDeliveryGrain, IRemindable
{
    public const string ReminderName = "delivery";
    public const string StorageStateName = "webhook";
    public const int LogResponseLength = 100;

    /// <summary>Extra wait past the attempt timeout before the reminder assumes an attempt in flight was lost.</summary>
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(5);

    private readonly RetrySchedule _schedule = new(options.Value.EffectiveRetryDelays);
    private int _scheduledRuns;
    private WebhookDetail? _published;

    // The reminder as this activation last registered it, so finishing does not have to read it back.
    private IGrainReminder? _reminder;

    // The account's settings as the trigger brought them, for the first attempt only.
    private DeliveryTarget? _acceptedTarget;

    private readonly GrainState<WebhookDeliveryState> _stored = new(new WebhookDeliveryState());

    // Null until the stored state has been read (or created): see the remarks above.
    private Task? _loading;

    // A provider hands back null state for a row without payload; treat it as "no webhook".
    private WebhookDeliveryState State => _stored.State ??= new WebhookDeliveryState();

    private string WebhookId => this.GetPrimaryKeyString();

    public async Task<AcceptOutcome> Accept(WebhookTrigger trigger)
    {
        // A fresh activation creates the state by inserting it (see remarks); calls that interleave
        // meanwhile (GetDetail) wait for the outcome instead of reading the row half-way.
        var creation = _loading is null ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        if (creation is null)
        {
            await _loading!;
            if (State.Exists)
            {
                return Identify(trigger);
            }
        }
        else
        {
            _loading = creation.Task;
        }

        State.AccountId = trigger.AccountId;
        State.ListeningPost = trigger.ListeningPost;
        State.ResponseId = trigger.ResponseId;
        State.Payload = trigger.Payload;
        State.AcceptedUtc = trigger.AcceptedUtc;
        State.LastActivityUtc = trigger.AcceptedUtc;
        State.Status = WebhookStatus.InProgress;
        State.NextAttemptDueUtc = trigger.AcceptedUtc;

        try
        {
            // Not accepted unless this completes; a failure deactivates the grain, dropping the
            // half-made state, and the caller's retry (idempotent) starts clean.
            await PersistAsync(inserting: creation is not null);
        }
        catch (InconsistentStateException) when (creation is not null)
        {
            // The row exists: a repeated completion (or an id collision) reached a new activation.
            _stored.State = new WebhookDeliveryState();
            _stored.ETag = null;
            try
            {
                await LoadAsync();
            }
            catch (Exception e)
            {
                // Calls waiting on the creation fail too, rather than wait for ever.
                creation.SetException(e);
                throw;
            }

            creation.SetResult();
            await SyncReminderAsync();

            // The unit's first-row insert gave way if the webhook had a row; if it had none (a
            // crash between two commits of an older version), it wrote this trigger's row: either
            // way the row is now made again from the stored state.
            await RecordLogAsync();
            return Identify(trigger);
        }
        catch (Exception e) when (creation is not null)
        {
            creation.SetException(e);
            throw;
        }

        creation?.SetResult();
        WebhookMetrics.Accepted();
        Publish();
        _acceptedTarget = trigger.Target;
        PublishToLiveLog(trigger.Target);
        ScheduleRun();
        return AcceptOutcome.Accepted;
    }

    /// <summary>
    /// The entry as last persisted and indexed. Reads interleave with a running attempt, so they must
    /// not see its outcome before it is stored (nor before the log listing shows it).
    /// </summary>
    public async Task<WebhookDetail?> GetDetail(string accountId)
    {
        await EnsureLoadedAsync();
        return _published is { } published && State.AccountId == accountId ? published : null;
    }

    public async Task<bool> Resend(string accountId)
    {
        await EnsureLoadedAsync();
        if (!BelongsTo(accountId))
        {
            return false;
        }

        if (!State.ResendRequested)
        {
            State.ResendRequested = true;
            await PersistAsync();
        }

        ScheduleRun();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await EnsureLoadedAsync();
        if (!State.Exists || ReminderDue(Now) is null)
        {
            // Finished (or never created): the reminder outlived its purpose.
            await UnregisterReminderAsync();
            return;
        }

        if (IsWorkDue(Now))
        {
            ScheduleRun();
        }
    }

    private Task EnsureLoadedAsync() => _loading ??= LoadAsync();

    /// <summary>
    /// Reads the stored state and publishes it (it is persisted, so <see cref="GetDetail"/> may show
    /// it). A failed read drops the activation, so the next call reads again instead of meeting the
    /// same failure for as long as the reminder keeps the activation alive.
    /// </summary>
    private async Task LoadAsync()
    {
        try
        {
            await storage.ReadStateAsync(StorageStateName, this.GetGrainId(), _stored);
        }
        catch (Exception)
        {
            DeactivateOnIdle();
            throw;
        }

        if (State.Exists)
        {
            Publish();
        }
    }

    private AcceptOutcome Identify(WebhookTrigger trigger) =>
        State.AccountId == trigger.AccountId && State.ListeningPost == trigger.ListeningPost && State.ResponseId == trigger.ResponseId
            ? AcceptOutcome.AlreadyAccepted
            : AcceptOutcome.IdTaken;

    /// <summary>Brings the reminder in line with the stored state (after another activation may have left it otherwise).</summary>
    private async Task SyncReminderAsync()
    {
        if (ReminderDue(Now) is { } due)
        {
            await RegisterReminderAsync(due);
        }
        else
        {
            await UnregisterReminderAsync();
        }
    }

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

    private bool BelongsTo(string accountId) => State.Exists && State.AccountId == accountId;

    /// <summary>Resend first; otherwise the automatic attempt whose time has come (within a small tolerance).</summary>
    private bool IsWorkDue(DateTime now) =>
        State.ResendRequested
        || (State.Status == WebhookStatus.InProgress && State.NextAttemptDueUtc is { } due && due - now <= DueTolerance);

    private TimeSpan DueTolerance => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, _schedule.WatchdogPeriod.Ticks / 2));

    /// <summary>
    /// When the reminder must fire next, derived from the state alone: soon after an attempt that
    /// should be running now could have finished, at the next automatic attempt, or never.
    /// </summary>
    private TimeSpan? ReminderDue(DateTime now)
    {
        if (IsWorkDue(now))
        {
            return options.Value.AttemptTimeout + InFlightGrace;
        }

        return State.Status == WebhookStatus.InProgress && State.NextAttemptDueUtc is { } due ? due - now : null;
    }

    private void ScheduleRun()
    {
        _scheduledRuns++;
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(
            async cancellationToken =>
            {
                _scheduledRuns--;
                try
                {
                    await RunDueAttemptAsync(cancellationToken);
                }
                finally
                {
                    // Disposing cancels the callback's token, so only once the attempt is over.
                    timer!.Dispose();
                }
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task RunDueAttemptAsync(CancellationToken cancellationToken)
    {
        await EnsureLoadedAsync();
        var started = Now;
        if (!State.Exists || !IsWorkDue(started))
        {
            return;
        }

        var resend = State.ResendRequested;
        var target = _acceptedTarget ?? await grains.Get<IAccountGrain>(State.AccountId!).GetDeliveryTarget();
        _acceptedTarget = null;
        var stopwatch = timeProvider.GetTimestamp();
        AttemptOutcome outcome;
        if (target is not { WebhooksActive: true })
        {
            outcome = AttemptOutcome.Failure(AttemptFailure.NotSent, "Webhooks are turned off for this account; no request was sent.");
        }
        else
        {
            var body = target.ServiceNowWrapper ? WebhookPayloadBuilder.WrapForServiceNow(State.Payload) : State.Payload;
            outcome = await sender.SendAsync(State.AccountId!, WebhookId, target, body, cancellationToken);
            State.LastPostWrapped = target.ServiceNowWrapper;
        }

        var number = State.Attempts.Count + 1;
        var duration = timeProvider.GetElapsedTime(stopwatch);
        WebhookMetrics.Attempted(outcome, resend, duration);
        State.Attempts.Add(new AttemptRecord(number, started, (long)duration.TotalMilliseconds, outcome.ResponseCode, outcome.Response, outcome.Error,
            outcome.FailureClass, outcome.Truncated));
        State.LastActivityUtc = started;
        ApplyOutcome(outcome, resend);
        LogAttempt(number, resend, outcome);

        await PersistAsync(afterState: () => RecordLogAsync(new AttemptTally(started, outcome.Succeeded)));
        PublishToLiveLog(target);

        if (IsWorkDue(Now))
        {
            ScheduleRun();
        }
        else if (_scheduledRuns == 0)
        {
            // Nothing to do until the reminder fires (or ever): do not hold memory for it.
            DeactivateOnIdle();
        }
    }

    private void ApplyOutcome(AttemptOutcome outcome, bool resend)
    {
        if (resend)
        {
            State.ResendRequested = false;
        }
        else
        {
            State.AutomaticAttempts++;
        }

        if (outcome.Succeeded)
        {
            State.Status = WebhookStatus.Succeeded;
            State.NextAttemptDueUtc = null;
            WebhookMetrics.Finished(WebhookStatus.Succeeded);
            return;
        }

        if (!resend)
        {
            var delay = _schedule.DelayAfterFailedAttempt(State.AutomaticAttempts);
            State.NextAttemptDueUtc = delay is { } wait ? State.LastActivityUtc + wait : null;
        }

        // A failed resend leaves a running schedule alone; without one the webhook is (still) Failed.
        if (State.NextAttemptDueUtc is null)
        {
            State.Status = WebhookStatus.Failed;
            WebhookMetrics.Finished(WebhookStatus.Failed);
            LogWebhookFailed(State.Attempts.Count);
        }
    }

    /// <summary>
    /// Writes the state and brings the reminder in line with it, both before returning. A new
    /// webhook writes both at once (one transaction when this silo owns the reminder): if only the
    /// reminder is stored it finds no state and unregisters itself; if only the state is, Accept
    /// fails, the completion is not acknowledged, and the caller's retry lands on the stored state
    /// and registers the missing reminder (<see cref="SyncReminderAsync"/>). A finished webhook
    /// writes its state before unregistering. On failure the activation is dropped, so the next one
    /// starts from what storage really holds, and the reminder drives it on.
    /// </summary>
    /// <param name="inserting">Accept's insert of a new webhook: a conflict is for the caller.</param>
    /// <param name="afterState">Runs once the state is stored, alongside the reminder's removal when there is one.</param>
    private async Task PersistAsync(bool inserting = false, Func<Task>? afterState = null)
    {
        try
        {
            var due = ReminderDue(Now);
            if (due is not { } dueTime)
            {
                await WriteStateAsync();
                await Task.WhenAll(UnregisterReminderAsync(), afterState?.Invoke() ?? Task.CompletedTask);
            }
            else
            {
                // Both at once. New webhook: a reminder whose state write failed finds no state and
                // unregisters itself. Existing one: if only the reminder moves, the next tick re-runs
                // what the state lacks; if only the state is written, the old reminder still ticks
                // every watchdog period.
                // A state without a version is a new webhook's (Accept's insert): its first log row goes with it.
                await Task.WhenAll(_stored.ETag is null ? WriteStateWithFirstLogRowAsync() : WriteStateAsync(), RegisterReminderAsync(dueTime));
                await (afterState?.Invoke() ?? Task.CompletedTask);
            }
        }
        catch (Exception e) when (!(inserting && e is InconsistentStateException)) // an insert meeting an existing row is Accept's to handle
        {
            LogPersistFailed(e);
            DeactivateOnIdle();
            throw;
        }
    }

    private Task WriteStateAsync() => storage.WriteStateAsync(StorageStateName, this.GetGrainId(), _stored);

    /// <summary>
    /// A new webhook's state and its first log row, all or nothing: an acceptance whose commit fails
    /// leaves no row, and the row does not cost a commit of its own. When the state already exists
    /// (a repeated completion), the row insert gives way to the webhook's row, and Accept's conflict
    /// path then remakes that row from the stored state.
    /// </summary>
    private Task WriteStateWithFirstLogRowAsync()
    {
        using (atomicWrites.Together())
        {
            return Task.WhenAll(WriteStateAsync(), logStore.RecordNewAsync(State.AccountId!, ToLogItem()));
        }
    }

    private async Task RegisterReminderAsync(TimeSpan dueTime) =>
        _reminder = await this.RegisterOrUpdateReminder(ReminderName, dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime, _schedule.WatchdogPeriod);

    private async Task UnregisterReminderAsync()
    {
        if ((_reminder ?? await this.GetReminder(ReminderName)) is { } reminder)
        {
            _reminder = null;
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Updates the log index row (counting <paramref name="attempt"/> in its hour), then what <see cref="GetDetail"/> shows.</summary>
    private async Task RecordLogAsync(AttemptTally? attempt = null)
    {
        try
        {
            await logStore.RecordAsync(State.AccountId!, ToLogItem(), attempt);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The log is a projection of the state; the next change of this webhook rewrites its row.
            LogIndexWriteFailed(e);
        }

        Publish();
    }

    /// <summary>Tells the account's open log pages of the row as just stored, when the target says one is open.</summary>
    private void PublishToLiveLog(DeliveryTarget? target)
    {
        if (target is { LiveLog: true })
        {
            grains.Get<IWebhookLogFeedGrain>(State.AccountId!).Publish(ToLogItem()).Ignore();
        }
    }

    private void Publish()
    {
        var payload = State.LastPostWrapped ? WebhookPayloadBuilder.WrapForServiceNow(State.Payload) : State.Payload;
        _published = new WebhookDetail(ToLogItem(), payload, State.Attempts.ToArray(), State.NextAttemptDueUtc);
    }

    private WebhookLogItem ToLogItem()
    {
        var last = State.Attempts.Count > 0 ? State.Attempts[^1] : null;
        var lastResponse = last?.Response ?? last?.Error;
        if (lastResponse is { Length: > LogResponseLength })
        {
            lastResponse = lastResponse[..LogResponseLength];
        }

        return new WebhookLogItem(WebhookId, State.ResponseId, State.ListeningPost, State.LastActivityUtc, last?.ResponseCode, lastResponse, State.Attempts.Count, State.Status);
    }

    private void LogAttempt(int number, bool resend, AttemptOutcome outcome)
    {
        if (outcome.Succeeded)
        {
            LogAttemptSucceeded(number, resend);
        }
        else
        {
            LogAttemptFailed(number, resend, outcome.ResponseCode, outcome.Error);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {WebhookId}: attempt {Attempt} (resend: {Resend}) succeeded")]
    private partial void LogAttemptSucceeded(string webhookId, int attempt, bool resend);

    private void LogAttemptSucceeded(int attempt, bool resend) => LogAttemptSucceeded(WebhookId, attempt, resend);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: attempt {Attempt} (resend: {Resend}) failed with status {StatusCode}: {Error}")]
    private partial void LogAttemptFailed(string webhookId, int attempt, bool resend, int? statusCode, string? error);

    private void LogAttemptFailed(int attempt, bool resend, int? statusCode, string? error) => LogAttemptFailed(WebhookId, attempt, resend, statusCode, error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} failed after {Attempts} attempts")]
    private partial void LogWebhookFailed(string webhookId, int attempts);

    private void LogWebhookFailed(int attempts) => LogWebhookFailed(WebhookId, attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: state or reminder could not be stored; the activation is dropped and the reminder will retry")]
    private partial void LogPersistFailed(string webhookId, Exception exception);

    private void LogPersistFailed(Exception exception) => LogPersistFailed(WebhookId, exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: the log index could not be updated")]
    private partial void LogIndexWriteFailed(string webhookId, Exception exception);

    private void LogIndexWriteFailed(Exception exception) => LogIndexWriteFailed(WebhookId, exception);
}
