using System.Diagnostics;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Storage;

namespace CIOPulse.Grains;

/// <summary>
/// Delivers one webhook. The rules are <see cref="WebhookDelivery"/>'s; this grain loads or inserts
/// the state, asks the rules, carries out their plan in one fixed order (<see cref="CarryOutAsync"/>;
/// docs/delivery.md shows why a crash at any point loses nothing), sends, and deactivates between
/// attempts: the reminder is what wakes it, on whichever silo owns it. Attempts run in a one-shot
/// grain timer, which is not reentrant, so attempts never overlap.
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

    private readonly DeliveryRules _rules = new(options.Value);
    private readonly GrainState<WebhookDeliveryState> _stored = new(new WebhookDeliveryState());
    private WebhookDelivery? _delivery;
    private int _scheduledRuns;
    private WebhookDetail? _published;

    // The reminder as this activation last registered it, so finishing does not have to read it back.
    private IGrainReminder? _reminder;

    // The account's settings as the trigger brought them, for the first attempt only.
    private DeliveryTarget? _acceptedTarget;

    // The span of the call that scheduled the next attempt (acceptance, resend, reminder): a grain
    // timer starts with no ambient activity, so the attempt's span is made its child explicitly.
    private ActivityContext? _runParent;

    // Null until the stored state has been read (or created): see the remarks above.
    private Task? _loading;

    /// <summary>The rules over the state as it stands (a read replaces the state object).</summary>
    private WebhookDelivery Delivery =>
        _delivery is { } delivery && ReferenceEquals(delivery.State, _stored.State)
            ? delivery
            : _delivery = new WebhookDelivery(_stored.State ??= new WebhookDeliveryState(), _rules);

    private string WebhookId => this.GetPrimaryKeyString();

    private DateTime Now => timeProvider.GetUtcNow().UtcDateTime;

    public async Task<AcceptOutcome> Accept(WebhookTrigger trigger)
    {
        var outcome = await StoreAsync(trigger);
        if (outcome == AcceptOutcome.Accepted)
        {
            ScheduleRun(Activity.Current?.Context);
        }

        return outcome;
    }

    public async Task<AttemptRecord?> AcceptTest(WebhookTrigger trigger)
    {
        if (!trigger.Test)
        {
            throw new ArgumentException("AcceptTest takes a test webhook's trigger; a survey's goes to Accept.", nameof(trigger));
        }

        if (await StoreAsync(trigger) != AcceptOutcome.Accepted)
        {
            return null;
        }

        // The caller waits for this attempt, so it runs within the call instead of in a timer. The
        // grain is not reentrant, so it overlaps no other attempt either way; stored and with its
        // reminder registered, the webhook gets its attempt even if this silo dies right now.
        _runParent = Activity.Current?.Context;
        await RunDueAttemptAsync(CancellationToken.None);
        return Delivery.State.Attempts is [var first, ..]
            ? first
            : throw new InvalidOperationException($"Test webhook {WebhookId} was stored but its attempt did not start.");
    }

    /// <summary>Stores a new webhook (or finds the existing one); an accepted one's first attempt is the caller's to start.</summary>
    private async Task<AcceptOutcome> StoreAsync(WebhookTrigger trigger)
    {
        // A fresh activation creates the state by inserting it (see remarks); calls that interleave
        // meanwhile (GetDetail) wait for the outcome instead of reading the row half-way.
        var creation = _loading is null ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        if (creation is null)
        {
            await _loading!;
            if (Delivery.Exists)
            {
                return Delivery.Identify(trigger);
            }
        }
        else
        {
            _loading = creation.Task;
        }

        var plan = Delivery.Accept(trigger, Now, WebhookTracing.CurrentTraceParent());
        try
        {
            await CarryOutAsync(plan, inserting: creation is not null);
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
            await CarryOutAsync(Delivery.Reconcile(Now));
            return Delivery.Identify(trigger);
        }
        catch (Exception e) when (creation is not null)
        {
            creation.SetException(e);
            throw;
        }

        creation?.SetResult();
        Report(plan.Facts);
        Publish();
        _acceptedTarget = trigger.Target;
        PublishToLiveLog(trigger.Target);
        return AcceptOutcome.Accepted;
    }

    /// <summary>
    /// The entry as last persisted and indexed. Reads interleave with a running attempt, so they must
    /// not see its outcome before it is stored (nor before the log listing shows it).
    /// </summary>
    public async Task<WebhookDetail?> GetDetail(string accountId)
    {
        await EnsureLoadedAsync();
        return _published is { } published && Delivery.BelongsTo(accountId) ? published : null;
    }

    public async Task<ResendOutcome> Resend(string accountId)
    {
        await EnsureLoadedAsync();
        if (!Delivery.BelongsTo(accountId))
        {
            return ResendOutcome.NotFound;
        }

        if (Delivery.IsExpired)
        {
            return ResendOutcome.Expired;
        }

        await CarryOutAsync(Delivery.RequestResend(Now));
        ScheduleRun(Activity.Current?.Context);
        return ResendOutcome.Accepted;
    }

    /// <summary>
    /// The retention sweep's call. Not interleaved with a resend or an attempt (the grain is not
    /// reentrant), so the rule sees the state as stored. The activation then goes: the sweep touches
    /// thousands of old webhooks that nobody else is about to call.
    /// </summary>
    public async Task<ExpireOutcome> Expire(DateTime cutoffUtc)
    {
        await EnsureLoadedAsync();
        var outcome = Delivery.ExpiryCheck(cutoffUtc);
        await CarryOutAsync(Delivery.Expire(cutoffUtc, Now));
        if (outcome == ExpireOutcome.Expired)
        {
            WebhookMetrics.Expired();
        }

        if (_scheduledRuns == 0 && !Delivery.IsWorkDue(Now))
        {
            DeactivateOnIdle();
        }

        return outcome;
    }

    /// <summary>
    /// The attempt is made in this call rather than in a timer, so the call can answer its outcome; the
    /// request is persisted first, so an attempt lost to a crash is made by the reminder or by the
    /// operation's repeated call, whichever comes first, and only once.
    /// </summary>
    public async Task<BulkResendAttemptOutcome> ResendForOperation(string accountId, string operationId)
    {
        await EnsureLoadedAsync();
        if (!Delivery.BelongsTo(accountId))
        {
            return BulkResendAttemptOutcome.NotFound;
        }

        if (Delivery.BulkResendOutcome(operationId) is { } known)
        {
            return known;
        }

        if (Delivery.IsExpired)
        {
            return BulkResendAttemptOutcome.Expired;
        }

        await CarryOutAsync(Delivery.RequestBulkResend(operationId, Now));
        _runParent = Activity.Current?.Context;
        await RunDueAttemptAsync(CancellationToken.None);
        return Delivery.BulkResendOutcome(operationId)
            ?? throw new InvalidOperationException($"Webhook {WebhookId}: the attempt for bulk resend {operationId} was not recorded.");
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await EnsureLoadedAsync();
        var plan = Delivery.ReminderFired(Now);
        await CarryOutAsync(plan);
        if (plan.StartAttempt)
        {
            ScheduleRun(Activity.Current?.Context);
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

        if (Delivery.Exists)
        {
            Publish();
        }
    }

    private void ScheduleRun(ActivityContext? cause = null)
    {
        _scheduledRuns++;
        _runParent = cause ?? _runParent;
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
        if (Delivery.BeginAttempt(Now) is not { } attempt)
        {
            return;
        }

        var parent = _runParent;
        _runParent = null;
        using var span = WebhookTracing.StartAttempt(WebhookId, attempt.Number, attempt.Resend, parent, Delivery.State.AcceptedTraceParent);
        var state = Delivery.State;
        var target = _acceptedTarget ?? await grains.Get<IAccountGrain>(state.AccountId!).GetDeliveryTarget();
        _acceptedTarget = null;
        var stopwatch = timeProvider.GetTimestamp();
        AttemptOutcome outcome;
        bool? wrapped = null;
        var notSent = await WhyNotSentAsync(target);
        if (target is null || notSent is not null)
        {
            outcome = AttemptOutcome.Failure(AttemptFailure.NotSent, notSent!); // always a reason without a target
        }
        else
        {
            var body = target.ServiceNowWrapper ? WebhookPayloadBuilder.WrapForServiceNow(state.Payload) : state.Payload;
            outcome = await sender.SendAsync(state.AccountId!, WebhookId, target, body, cancellationToken);
            wrapped = target.ServiceNowWrapper;
        }

        WebhookTracing.RecordOutcome(span, outcome);
        var plan = Delivery.AttemptFinished(attempt, outcome, timeProvider.GetElapsedTime(stopwatch), wrapped, Now);
        Report(plan.Facts);
        await CarryOutAsync(plan);
        PublishToLiveLog(target);

        if (plan.StartAttempt || Delivery.IsWorkDue(Now))
        {
            ScheduleRun();
        }
        else if (_scheduledRuns == 0)
        {
            // Nothing to do until the reminder fires (or ever): do not hold memory for it.
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Why no request may go to <paramref name="target"/>, or null when one may: webhooks turned off
    /// (a test webhook goes all the same, as long as the plan allows webhooks), or the account gone.
    /// </summary>
    private async Task<string?> WhyNotSentAsync(DeliveryTarget? target)
    {
        if (target is { WebhooksActive: true })
        {
            return null;
        }

        if (target is null || !Delivery.SendsWhileTurnedOff)
        {
            return "Webhooks are turned off for this account; no request was sent.";
        }

        // Off, or not allowed by the plan: the target does not say which, the account does.
        return await grains.Get<IAccountGrain>(Delivery.State.AccountId!).Get() is { } account && AccountGrain.AllowsWebhooks(account.Plan)
            ? null
            : "Webhooks are not available on this account's plan; no request was sent.";
    }

    /// <summary>
    /// Carries out a plan, always in this order (docs/delivery.md, "Write order"): when the reminder
    /// goes, the state first, then the reminder's removal and the log row; otherwise the state (a new
    /// webhook's together with its first log row) at the same time as the reminder, then the log
    /// row. On failure the activation is dropped, so the next one starts from what storage holds.
    /// </summary>
    /// <param name="inserting">Accept's insert of a new webhook: a conflict is for the caller.</param>
    private async Task CarryOutAsync(DeliveryPlan plan, bool inserting = false)
    {
        try
        {
            var stateWrite = !plan.WriteState ? null
                : plan.LogRow == LogRowChange.FirstWithState ? (Func<Task>)WriteStateWithFirstLogRowAsync
                : WriteStateAsync;
            var logRow = plan.LogRow == LogRowChange.Replace ? () => RecordLogAsync(plan.Tally) : (Func<Task>?)null;
            if (plan.Reminder is ReminderChange.UnregisterReminder)
            {
                await (stateWrite?.Invoke() ?? Task.CompletedTask);
                await Task.WhenAll(UnregisterReminderAsync(), logRow?.Invoke() ?? Task.CompletedTask);
                return;
            }

            var reminder = plan.Reminder is ReminderChange.RegisterReminder register ? RegisterReminderAsync(register.DueIn) : Task.CompletedTask;
            await Task.WhenAll(stateWrite?.Invoke() ?? Task.CompletedTask, reminder);
            await (logRow?.Invoke() ?? Task.CompletedTask);
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
    private Task WriteStateWithFirstLogRowAsync() =>
        atomicWrites.Together(WriteStateAsync, () => logStore.RecordNewAsync(Delivery.State.AccountId!, Delivery.LogRow(WebhookId)));

    private async Task RegisterReminderAsync(TimeSpan dueTime) =>
        _reminder = await this.RegisterOrUpdateReminder(ReminderName, dueTime, _rules.Schedule.WatchdogPeriod);

    private async Task UnregisterReminderAsync()
    {
        if ((_reminder ?? await this.GetReminder(ReminderName)) is { } reminder)
        {
            _reminder = null;
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Updates the log index row (counting <paramref name="attempt"/> in its hour), then what <see cref="GetDetail"/> shows.</summary>
    private async Task RecordLogAsync(AttemptTally? attempt)
    {
        try
        {
            await logStore.RecordAsync(Delivery.State.AccountId!, Delivery.LogRow(WebhookId), attempt);
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
            grains.Get<IWebhookLogFeedGrain>(Delivery.State.AccountId!).Publish(Delivery.LogRow(WebhookId)).Ignore();
        }
    }

    private void Publish() =>
        _published = new WebhookDetail(Delivery.LogRow(WebhookId), Delivery.PostedPayload, [.. Delivery.State.Attempts], Delivery.State.NextAttemptDueUtc, Delivery.State.ExpiredUtc);

    /// <summary>Metrics and log lines for what the plan says happened.</summary>
    private void Report(DeliveryFacts facts)
    {
        if (facts.Accepted)
        {
            WebhookMetrics.Accepted();
        }

        if (facts.Attempt is { } attempt)
        {
            WebhookMetrics.Attempted(attempt.Outcome, attempt.Resend, attempt.Duration);
            if (attempt.Number == 1 && !attempt.Resend && Delivery.State.Attempts is [var first, ..])
            {
                WebhookMetrics.FirstAttemptStarted(first.StartedUtc - Delivery.State.AcceptedUtc);
            }

            var durationMs = (long)attempt.Duration.TotalMilliseconds;
            if (attempt.Outcome.Succeeded)
            {
                LogAttemptSucceeded(WebhookId, attempt.Number, attempt.Resend, "Succeeded", attempt.Outcome.ResponseCode, durationMs);
            }
            else
            {
                LogAttemptFailed(WebhookId, attempt.Number, attempt.Resend, attempt.Outcome.FailureName!, attempt.Outcome.ResponseCode, durationMs, attempt.Outcome.Error);
            }
        }

        if (facts.FinishedAs is { } status)
        {
            WebhookMetrics.Finished(status);
            if (status == WebhookStatus.Failed)
            {
                LogWebhookFailed(WebhookId, Delivery.State.Attempts.Count);
            }
        }
    }

    // One line per attempt, with its fields for structured sinks (JSON console:
    // Logging:Console:FormatterName=json). The error is the service's own description: never the
    // receiver's body, the URL or credentials.
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: attempt {Attempt} (resend: {Resend}) {Outcome}, status {StatusCode}, {DurationMs} ms")]
    private partial void LogAttemptSucceeded(string webhookId, int attempt, bool resend, string outcome, int? statusCode, long durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: attempt {Attempt} (resend: {Resend}) {Outcome}, status {StatusCode}, {DurationMs} ms: {Error}")]
    private partial void LogAttemptFailed(string webhookId, int attempt, bool resend, string outcome, int? statusCode, long durationMs, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} failed after {Attempts} attempts")]
    private partial void LogWebhookFailed(string webhookId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: state or reminder could not be stored; the activation is dropped and the reminder will retry")]
    private partial void LogPersistFailed(string webhookId, Exception exception);

    private void LogPersistFailed(Exception exception) => LogPersistFailed(WebhookId, exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: the log index could not be updated")]
    private partial void LogIndexWriteFailed(string webhookId, Exception exception);

    private void LogIndexWriteFailed(Exception exception) => LogIndexWriteFailed(WebhookId, exception);
}
