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

    /// <summary>
    /// How many bulk resend marks a webhook keeps. An account runs one operation at a time, so only the
    /// newest can still be replayed; the older ones are kept for the record.
    /// </summary>
    public const int MaxBulkResendMarks = 8;

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
        if (IsExpired)
        {
            throw new InvalidOperationException("An expired webhook has no payload to resend; the grain answers Expired instead.");
        }

        var first = !State.ResendRequested;
        State.ResendRequested = true;
        return new DeliveryPlan(first, ReminderFor(now), LogRowChange.None, StartAttempt: true, DeliveryFacts.None);
    }

    /// <summary>
    /// One more attempt for a bulk resend operation, at most once per operation: the request is
    /// persisted with the operation's id, like a resend (<see cref="RequestResend"/>). A request the
    /// webhook has seen already asks for nothing new (<see cref="BulkResendOutcome"/> answers it), unless
    /// its attempt is still to be made, when it is asked for again like a repeated resend.
    /// </summary>
    public DeliveryPlan RequestBulkResend(string operationId, DateTime now)
    {
        if (State.BulkResends.Find(m => m.OperationId == operationId) is { } mark)
        {
            return mark.AttemptNumber is null ? RequestResend(now) : DeliveryPlan.Nothing;
        }

        State.BulkResends.Add(new BulkResendMark(operationId, null));
        var plan = RequestResend(now);
        return plan with { WriteState = true };
    }

    /// <summary>
    /// How the attempt made for <paramref name="operationId"/> ended; null when the operation has not
    /// asked, or its attempt is still to be made.
    /// </summary>
    public BulkResendAttemptOutcome? BulkResendOutcome(string operationId)
    {
        if (State.BulkResends.Find(m => m.OperationId == operationId) is not { AttemptNumber: { } number })
        {
            return null;
        }

        var attempt = State.Attempts.Find(a => a.Number == number);
        return attempt is { ResponseCode: 200 } ? BulkResendAttemptOutcome.Succeeded : BulkResendAttemptOutcome.Failed;
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
        IsWorkDue(now)
            ? new AttemptStart(State.Attempts.Count + 1, State.ResendRequested, now,
                State.ResendRequested ? State.BulkResends.Find(m => m.AttemptNumber is null)?.OperationId : null)
            : null;

    /// <summary>
    /// Records an attempt and decides what follows: Succeeded on a 200; otherwise the next automatic
    /// attempt after its delay, or Failed when the schedule is used up. A failed resend leaves a
    /// running schedule alone. <paramref name="wrapped"/>: whether the POST used the ServiceNow
    /// wrapper (null when nothing was sent).
    /// </summary>
    public DeliveryPlan AttemptFinished(AttemptStart attempt, AttemptOutcome outcome, TimeSpan duration, bool? wrapped, DateTime now)
    {
        State.Attempts.Add(new AttemptRecord(attempt.Number, attempt.StartedUtc, (long)duration.TotalMilliseconds, outcome.ResponseCode, outcome.Response,
            outcome.Error, outcome.FailureClass, outcome.Truncated, attempt.BulkResendId));
        State.LastActivityUtc = attempt.StartedUtc;
        if (wrapped is { } usedWrapper)
        {
            State.LastPostWrapped = usedWrapper;
        }

        if (attempt.Resend)
        {
            State.ResendRequested = false;

            // One resend attempt answers every request waiting for it, bulk ones included.
            State.BulkResends = [.. State.BulkResends.Select(m => m.AttemptNumber is null ? m with { AttemptNumber = attempt.Number } : m)];
            if (State.BulkResends.Count > MaxBulkResendMarks)
            {
                State.BulkResends.RemoveRange(0, State.BulkResends.Count - MaxBulkResendMarks);
            }
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

    /// <summary>Whether the retention removed the payload and the response bodies.</summary>
    public bool IsExpired => State.ExpiredUtc is not null;

    /// <summary>
    /// Whether the retention may expire the webhook now: only a finished one (Succeeded or Failed,
    /// no resend waiting) whose last activity is before <paramref name="cutoffUtc"/>, so a webhook
    /// resent yesterday is kept however old it is.
    /// </summary>
    public ExpireOutcome ExpiryCheck(DateTime cutoffUtc) =>
        !State.Exists ? ExpireOutcome.NotFound
        : IsExpired ? ExpireOutcome.AlreadyExpired
        : State.Status == WebhookStatus.InProgress || State.ResendRequested || State.LastActivityUtc >= cutoffUtc ? ExpireOutcome.Kept
        : ExpireOutcome.Expired;

    /// <summary>
    /// The retention: removes the payload and every attempt's response body (codes, times, durations,
    /// failure classes and network error descriptions stay), marks the webhook expired at
    /// <paramref name="now"/> and remakes its log row, which keeps its place (its last activity is
    /// unchanged) and no longer quotes the last response. An expired webhook the sweep meets again has
    /// a log row that missed its mark (the row write after the state's was lost): the row is made
    /// again. Otherwise nothing.
    /// </summary>
    public DeliveryPlan Expire(DateTime cutoffUtc, DateTime now)
    {
        var check = ExpiryCheck(cutoffUtc);
        if (check == ExpireOutcome.AlreadyExpired)
        {
            return DeliveryPlan.Nothing with { LogRow = LogRowChange.Replace };
        }

        if (check != ExpireOutcome.Expired)
        {
            return DeliveryPlan.Nothing;
        }

        State.Payload = "";
        State.Attempts = [.. State.Attempts.Select(a => a with { Response = null, ResponseTruncated = false })];
        State.ExpiredUtc = now;
        return new DeliveryPlan(true, ReminderChange.Keep, LogRowChange.Replace, StartAttempt: false, DeliveryFacts.None);
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

        return new WebhookLogItem(webhookId, State.ResponseId, State.ListeningPost, State.LastActivityUtc, last?.ResponseCode, lastResponse, State.Attempts.Count, State.Status, State.Test, IsExpired);
    }

    /// <summary>
    /// The body last POSTed (or to be POSTed): the stored payload, in the ServiceNow wrapper if the
    /// last POST used it; empty once expired.
    /// </summary>
    public string PostedPayload =>
        IsExpired ? "" : State.LastPostWrapped ? WebhookPayloadBuilder.WrapForServiceNow(State.Payload) : State.Payload;

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
