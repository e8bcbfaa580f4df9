using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;

namespace CIOPulse.Grains.Delivery;

/// <summary>
/// The delivery rules of one webhook, with no Orleans in them and the clock passed in: it owns the
/// webhook's state and answers each event (accepted, resend requested, reminder fired, attempt
/// finished) with a <see cref="DeliveryPlan"/>. The grain stores, registers, sends and reports as the
/// plan says. Exactly <see cref="RetrySchedule.MaxAutomaticAttempts"/> automatic attempts; a resend
/// adds one at any time; only HTTP 200 succeeds; the reminder is due when the next work is. A test
/// webhook makes one automatic attempt only (see <see cref="AutomaticAttemptsAllowed"/>).
/// </summary>
public sealed class WebhookDelivery(WebhookDeliveryState state, DeliveryRules rules)
{
    /// <summary>How much of the last answer the log row keeps.</summary>
    public const int LogResponseLength = 100;

    public WebhookDeliveryState State { get; } = state;

    public bool Exists => State.Exists;

    public bool BelongsTo(string accountId) => State.Exists && State.AccountId == accountId;

    /// <summary>
    /// A new webhook: stored with its first log row and its reminder, then its first attempt starts at
    /// once. <paramref name="traceParent"/>: the accepting call's trace, kept for the retries to link to.
    /// </summary>
    public DeliveryPlan Accept(WebhookTrigger trigger, DateTime now, string? traceParent = null)
    {
        if (State.Exists)
        {
            throw new InvalidOperationException("Accept makes a new webhook; this one exists (see Identify).");
        }

        State.AccountId = trigger.AccountId;
        State.ListeningPost = trigger.ListeningPost;
        State.ResponseId = trigger.ResponseId;
        State.Payload = trigger.Payload;
        State.AcceptedUtc = trigger.AcceptedUtc;
        State.LastActivityUtc = trigger.AcceptedUtc;
        State.Status = WebhookStatus.InProgress;
        State.NextAttemptDueUtc = trigger.AcceptedUtc;
        State.AcceptedTraceParent = traceParent;
        State.Test = trigger.Test;
        return new DeliveryPlan(true, ReminderFor(now), LogRowChange.FirstWithState, StartAttempt: true, new DeliveryFacts(Accepted: true));
    }

    /// <summary>
    /// How many automatic attempts the webhook gets: the schedule's, or one for a test webhook, whose
    /// sender is waiting for that one answer (a retry minutes later would tell them nothing; Resend
    /// still makes more).
    /// </summary>
    public int AutomaticAttemptsAllowed => State.Test ? 1 : rules.Schedule.MaxAutomaticAttempts;

    /// <summary>
    /// Whether an attempt is sent while the account's webhooks are turned off: only a test webhook's,
    /// so that an administrator can try the settings before turning webhooks on. The plan must still
    /// allow webhooks (the grain asks the account).
    /// </summary>
    public bool SendsWhileTurnedOff => State.Test;

    /// <summary>How an existing webhook relates to a trigger that led to its id.</summary>
    public AcceptOutcome Identify(WebhookTrigger trigger) =>
        State.AccountId == trigger.AccountId && State.ListeningPost == trigger.ListeningPost && State.ResponseId == trigger.ResponseId
            ? AcceptOutcome.AlreadyAccepted
            : AcceptOutcome.IdTaken;

    /// <summary>
    /// The stored state turned up where a new one was to be inserted (a repeated completion met a
    /// new activation): the reminder and the log row are brought in line with it, nothing else.
    /// </summary>
    public DeliveryPlan Reconcile(DateTime now) =>
        new(false, ReminderFor(now), LogRowChange.Replace, StartAttempt: false, DeliveryFacts.None);

    /// <summary>
    /// One more attempt, now, whatever the status: persisted as a request, so it survives a crash.
    /// A request repeated before its attempt ran writes nothing new but registers the reminder again
    /// (the first request's answer may have been lost between its two writes).
    /// </summary>
    public DeliveryPlan RequestResend(DateTime now)
    {
        var first = !State.ResendRequested;
        State.ResendRequested = true;
        return new DeliveryPlan(first, ReminderFor(now), LogRowChange.None, StartAttempt: true, DeliveryFacts.None);
    }

    /// <summary>
    /// The reminder fired: start what is due, or remove a reminder that has outlived its purpose.
    /// A finished webhook's reminder only fires when its removal was lost, and the log row that goes
    /// with the removal may have been lost too: it is made again.
    /// </summary>
    public DeliveryPlan ReminderFired(DateTime now) =>
        !State.Exists ? DeliveryPlan.Nothing with { Reminder = ReminderChange.Unregister }
        : ReminderDue(now) is null ? DeliveryPlan.Nothing with { Reminder = ReminderChange.Unregister, LogRow = LogRowChange.Replace }
        : DeliveryPlan.Nothing with { StartAttempt = IsWorkDue(now) };

    /// <summary>A resend is waiting, or an automatic attempt's time has come (within the tolerance).</summary>
    public bool IsWorkDue(DateTime now) =>
        State.Exists
        && (State.ResendRequested
            || (State.Status == WebhookStatus.InProgress && State.NextAttemptDueUtc is { } due && due - now <= rules.DueTolerance));

    /// <summary>The attempt that may start now, or null when nothing is due.</summary>
    public AttemptStart? BeginAttempt(DateTime now) =>
        IsWorkDue(now) ? new AttemptStart(State.Attempts.Count + 1, State.ResendRequested, now) : null;

    /// <summary>
    /// Records an attempt and decides what follows: Succeeded on a 200; otherwise the next automatic
    /// attempt after its delay, or Failed when the schedule is used up. A failed resend leaves a
    /// running schedule alone. <paramref name="wrapped"/>: whether the POST used the ServiceNow
    /// wrapper (null when nothing was sent).
    /// </summary>
    public DeliveryPlan AttemptFinished(AttemptStart attempt, AttemptOutcome outcome, TimeSpan duration, bool? wrapped, DateTime now)
    {
        State.Attempts.Add(new AttemptRecord(attempt.Number, attempt.StartedUtc, (long)duration.TotalMilliseconds, outcome.ResponseCode, outcome.Response,
            outcome.Error, outcome.FailureClass, outcome.Truncated));
        State.LastActivityUtc = attempt.StartedUtc;
        if (wrapped is { } usedWrapper)
        {
            State.LastPostWrapped = usedWrapper;
        }

        if (attempt.Resend)
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
        }
        else
        {
            if (!attempt.Resend)
            {
                var delay = State.AutomaticAttempts < AutomaticAttemptsAllowed ? rules.Schedule.DelayAfterFailedAttempt(State.AutomaticAttempts) : null;
                State.NextAttemptDueUtc = delay is { } wait ? now + wait : null;
            }

            // Without a schedule running, the webhook is (still) Failed.
            if (State.NextAttemptDueUtc is null)
            {
                State.Status = WebhookStatus.Failed;
            }
        }

        // Every attempt that leaves the webhook Succeeded or Failed reports it (a resend too).
        WebhookStatus? finished = State.Status == WebhookStatus.InProgress ? null : State.Status;
        return new DeliveryPlan(true, ReminderFor(now), LogRowChange.Replace, IsWorkDue(now),
            new DeliveryFacts(Attempt: new AttemptFacts(attempt.Number, attempt.Resend, outcome, duration), FinishedAs: finished),
            new AttemptTally(attempt.StartedUtc, outcome.Succeeded));
    }

    /// <summary>The log row as the state stands: the last answer (or error) cut to <see cref="LogResponseLength"/>.</summary>
    public WebhookLogItem LogRow(string webhookId)
    {
        var last = State.Attempts.Count > 0 ? State.Attempts[^1] : null;
        var lastResponse = last?.Response ?? last?.Error;
        if (lastResponse is { Length: > LogResponseLength })
        {
            lastResponse = lastResponse[..LogResponseLength];
        }

        return new WebhookLogItem(webhookId, State.ResponseId, State.ListeningPost, State.LastActivityUtc, last?.ResponseCode, lastResponse, State.Attempts.Count, State.Status, State.Test);
    }

    /// <summary>The body last POSTed (or to be POSTed): the stored payload, in the ServiceNow wrapper if the last POST used it.</summary>
    public string PostedPayload => State.LastPostWrapped ? WebhookPayloadBuilder.WrapForServiceNow(State.Payload) : State.Payload;

    /// <summary>
    /// When the reminder must fire next, from the state alone: soon after work due now could have
    /// finished (so a lost attempt is redone), at the next automatic attempt, or never.
    /// </summary>
    public TimeSpan? ReminderDue(DateTime now)
    {
        if (IsWorkDue(now))
        {
            return rules.InFlightCheck;
        }

        return State.Exists && State.Status == WebhookStatus.InProgress && State.NextAttemptDueUtc is { } due ? due - now : null;
    }

    private ReminderChange ReminderFor(DateTime now) =>
        ReminderDue(now) is { } due ? ReminderChange.RegisterIn(due) : ReminderChange.Unregister;
}
