using CIOPulse.Grains;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;
using FsCheck.Xunit;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// The delivery rules under any sequence of attempt outcomes and resends (FsCheck makes the
/// sequences): the schedule is never exceeded, a 200 always ends Succeeded, Failed comes only once
/// no automatic attempt remains, and the reminder is always due when the next work is.
/// </summary>
public sealed class WebhookDeliveryPropertyTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan AttemptDuration = TimeSpan.FromSeconds(2);

    /// <summary>A step: 0 asks for a resend; 1–4 run the next due attempt, answered 200, 500, 404 or with no answer.</summary>
    private static AttemptOutcome Outcome(byte step) => (step % 5) switch
    {
        1 => AttemptOutcome.Answer(200, "ok", truncated: false),
        2 => AttemptOutcome.Answer(500, "down", truncated: false),
        3 => AttemptOutcome.Answer(404, "gone", truncated: false),
        _ => AttemptOutcome.Failure(AttemptFailure.ConnectionRefused, "refused"),
    };

    [Property(MaxTest = 500)]
    public void Any_sequence_of_outcomes_and_resends_keeps_the_schedule_s_promises(byte[] steps, byte delayCount)
    {
        var delays = Enumerable.Range(1, delayCount % 6).Select(i => TimeSpan.FromMinutes(5 * i)).ToArray();
        var rules = new DeliveryRules(new RetrySchedule(delays), TimeSpan.FromSeconds(30));
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), rules);
        var now = T0;
        var plan = delivery.Accept(WebhookDeliveryTests.Trigger(T0), now);
        var succeededOnce = false;
        var lastAutomaticEnd = T0;
        AssertReminderFollowsTheWork(delivery, plan, now, rules);

        foreach (var step in steps ?? [])
        {
            if (step % 5 == 0)
            {
                plan = delivery.RequestResend(now);
                Assert.True(plan.StartAttempt);
                AssertReminderFollowsTheWork(delivery, plan, now, rules);
                continue;
            }

            if (!delivery.IsWorkDue(now))
            {
                // Nothing due: let time run to the next automatic attempt, if any.
                if (delivery.State.NextAttemptDueUtc is not { } due)
                {
                    Assert.Null(delivery.BeginAttempt(now.AddDays(1)));
                    continue;
                }

                Assert.Null(delivery.BeginAttempt(due - TimeSpan.FromSeconds(2)));
                now = due;
            }

            var attempt = delivery.BeginAttempt(now)!;
            Assert.Equal(delivery.State.Attempts.Count + 1, attempt.Number);
            var outcome = Outcome(step);
            var automaticBefore = delivery.State.AutomaticAttempts;
            now += AttemptDuration;
            plan = delivery.AttemptFinished(attempt, outcome, AttemptDuration, wrapped: false, now);
            succeededOnce |= outcome.Succeeded;

            Assert.Equal(attempt.Resend ? automaticBefore : automaticBefore + 1, delivery.State.AutomaticAttempts);
            Assert.InRange(delivery.State.AutomaticAttempts, 0, rules.Schedule.MaxAutomaticAttempts);
            if (outcome.Succeeded)
            {
                Assert.Equal(WebhookStatus.Succeeded, delivery.State.Status);
            }

            if (delivery.State.Status == WebhookStatus.Failed)
            {
                Assert.Null(delivery.State.NextAttemptDueUtc);
                Assert.True(delivery.State.AutomaticAttempts == rules.Schedule.MaxAutomaticAttempts || succeededOnce,
                    "Failed while automatic attempts remained and nothing had succeeded.");
            }

            if (!attempt.Resend)
            {
                lastAutomaticEnd = now;
            }

            if (delivery.State.Status == WebhookStatus.InProgress)
            {
                // The next automatic attempt is due its delay after the last automatic one ended
                // (at acceptance while only resends have run); resends do not move it.
                var expectedDue = delivery.State.AutomaticAttempts == 0
                    ? T0
                    : lastAutomaticEnd + rules.Schedule.DelayAfterFailedAttempt(delivery.State.AutomaticAttempts)!.Value;
                Assert.Equal(expectedDue, delivery.State.NextAttemptDueUtc);
            }

            AssertReminderFollowsTheWork(delivery, plan, now, rules);
        }

        Assert.Equal(Enumerable.Range(1, delivery.State.Attempts.Count), delivery.State.Attempts.Select(a => a.Number));
    }

    [Property(MaxTest = 200)]
    public void Without_resends_a_webhook_that_never_gets_a_200_is_tried_exactly_as_often_as_the_schedule_says(byte delayCount)
    {
        var delays = Enumerable.Range(1, delayCount % 8).Select(i => TimeSpan.FromMinutes(i)).ToArray();
        var rules = new DeliveryRules(new RetrySchedule(delays), TimeSpan.FromSeconds(30));
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), rules);
        var now = T0;
        delivery.Accept(WebhookDeliveryTests.Trigger(T0), now);

        while (delivery.BeginAttempt(now) is { } attempt)
        {
            delivery.AttemptFinished(attempt, AttemptOutcome.Answer(503, "", truncated: false), AttemptDuration, wrapped: false, now + AttemptDuration);
            now = delivery.State.NextAttemptDueUtc ?? now.AddYears(1);
        }

        Assert.Equal(delays.Length + 1, delivery.State.Attempts.Count);
        Assert.Equal(WebhookStatus.Failed, delivery.State.Status);
    }

    /// <summary>
    /// Work due now (a resend, or an automatic attempt whose time has come): the reminder checks
    /// back after an attempt could have finished. Waiting: due exactly at the next automatic
    /// attempt. Finished with nothing pending: removed.
    /// </summary>
    private static void AssertReminderFollowsTheWork(WebhookDelivery delivery, DeliveryPlan plan, DateTime now, DeliveryRules rules)
    {
        if (plan.Reminder == ReminderChange.Keep)
        {
            return;
        }

        var state = delivery.State;
        var expected = delivery.IsWorkDue(now) ? ReminderChange.RegisterIn(rules.InFlightCheck)
            : state.Status == WebhookStatus.InProgress ? ReminderChange.RegisterIn(state.NextAttemptDueUtc!.Value - now)
            : ReminderChange.Unregister;
        Assert.Equal(expected, plan.Reminder);
        Assert.Equal(expected == ReminderChange.Unregister, state.Status != WebhookStatus.InProgress && !state.ResendRequested);
    }
}
