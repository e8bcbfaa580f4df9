using CIOPulse.Grains;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// The delivery rules without a cluster: what each event does to a webhook's state and which
/// writes, reminder change and attempt it asks for. Minutes of schedule in microseconds.
/// </summary>
public sealed class WebhookDeliveryTests
{
    public static readonly DeliveryRules Rules = new(new RetrySchedule(WebhookOptions.DefaultRetryDelays), TimeSpan.FromSeconds(30));

    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly AttemptOutcome Ok = AttemptOutcome.Answer(200, "ok", truncated: false);
    private static readonly AttemptOutcome ServerError = AttemptOutcome.Answer(500, "down", truncated: false);

    public static WebhookTrigger Trigger(DateTime acceptedUtc, string responseId = "r-1") =>
        new("acme", ListeningPost.Transactional, responseId, "{\"Webhook_ID\":\"x\"}", acceptedUtc);

    [Fact]
    public void Accepting_stores_the_webhook_with_its_first_row_and_reminder_and_starts_an_attempt()
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), Rules);

        var plan = delivery.Accept(Trigger(T0), T0);

        Assert.Equal(WebhookStatus.InProgress, delivery.State.Status);
        Assert.Equal(T0, delivery.State.NextAttemptDueUtc);
        Assert.Equal(new DeliveryPlan(true, ReminderChange.RegisterIn(Rules.InFlightCheck), LogRowChange.FirstWithState, true, new DeliveryFacts(Accepted: true)), plan);
        Assert.Throws<InvalidOperationException>(() => delivery.Accept(Trigger(T0), T0));
    }

    [Fact]
    public void An_existing_webhook_tells_a_repeated_trigger_from_a_different_one()
    {
        var delivery = Accepted();

        Assert.Equal(AcceptOutcome.AlreadyAccepted, delivery.Identify(Trigger(T0.AddHours(1))));
        Assert.Equal(AcceptOutcome.IdTaken, delivery.Identify(Trigger(T0, "r-2")));
        Assert.Equal(AcceptOutcome.IdTaken, delivery.Identify(Trigger(T0) with { ListeningPost = ListeningPost.Relationship }));
        Assert.Equal(AcceptOutcome.IdTaken, delivery.Identify(Trigger(T0) with { AccountId = "globex" }));
    }

    [Fact]
    public void A_200_ends_it_Succeeded_with_the_reminder_removed_and_the_attempt_counted()
    {
        var delivery = Accepted();
        var attempt = delivery.BeginAttempt(T0)!;

        var plan = delivery.AttemptFinished(attempt, Ok, TimeSpan.FromMilliseconds(12), wrapped: false, T0.AddMilliseconds(12));

        Assert.Equal(WebhookStatus.Succeeded, delivery.State.Status);
        Assert.Null(delivery.State.NextAttemptDueUtc);
        Assert.Equal(ReminderChange.Unregister, plan.Reminder);
        Assert.Equal((true, LogRowChange.Replace, false), (plan.WriteState, plan.LogRow, plan.StartAttempt));
        Assert.Equal(new AttemptTally(T0, Succeeded: true), plan.Tally);
        Assert.Equal(WebhookStatus.Succeeded, plan.Facts.FinishedAs);
        Assert.Equal(new AttemptRecord(1, T0, 12, 200, "ok", null), Assert.Single(delivery.State.Attempts));
        Assert.Null(delivery.BeginAttempt(T0.AddDays(1)));
    }

    [Fact]
    public void Failed_attempts_are_retried_5_10_20_40_minutes_after_they_ended_then_the_webhook_is_Failed()
    {
        var delivery = Accepted();
        var now = T0;
        int[] waits = [5, 10, 20, 40];
        for (var number = 1; number <= 5; number++)
        {
            Assert.True(delivery.IsWorkDue(now));
            var attempt = delivery.BeginAttempt(now)!;
            Assert.Equal((number, false), (attempt.Number, attempt.Resend));
            var plan = delivery.AttemptFinished(attempt, ServerError, TimeSpan.FromSeconds(1), wrapped: false, now.AddSeconds(1));
            if (number < 5)
            {
                // Counted from the end of the failed attempt.
                var due = now.AddSeconds(1).AddMinutes(waits[number - 1]);
                Assert.Equal(WebhookStatus.InProgress, delivery.State.Status);
                Assert.Equal(due, delivery.State.NextAttemptDueUtc);
                Assert.Equal(ReminderChange.RegisterIn(due - now.AddSeconds(1)), plan.Reminder);
                Assert.Null(plan.Facts.FinishedAs);
                Assert.False(delivery.IsWorkDue(due - TimeSpan.FromSeconds(2)));
                now = due;
            }
            else
            {
                Assert.Equal(WebhookStatus.Failed, delivery.State.Status);
                Assert.Equal(ReminderChange.Unregister, plan.Reminder);
                Assert.Equal(WebhookStatus.Failed, plan.Facts.FinishedAs);
            }
        }

        Assert.Equal(5, delivery.State.AutomaticAttempts);
        Assert.Null(delivery.BeginAttempt(now.AddDays(30)));
    }

    [Theory]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(302)]
    [InlineData(404)]
    [InlineData(503)]
    public void Any_status_but_200_is_a_failed_attempt(int status)
    {
        var delivery = Accepted();

        delivery.AttemptFinished(delivery.BeginAttempt(T0)!, AttemptOutcome.Answer(status, "", truncated: false), TimeSpan.Zero, wrapped: false, T0);

        Assert.Equal(WebhookStatus.InProgress, delivery.State.Status);
        Assert.Equal(T0.AddMinutes(5), delivery.State.NextAttemptDueUtc);
    }

    [Fact]
    public void A_reminder_tick_starts_what_is_due_waits_otherwise_and_removes_a_finished_webhook_s_reminder()
    {
        var waiting = Accepted();
        waiting.AttemptFinished(waiting.BeginAttempt(T0)!, ServerError, TimeSpan.Zero, wrapped: false, T0);

        Assert.Equal(DeliveryPlan.Nothing, waiting.ReminderFired(T0.AddMinutes(4)));
        Assert.True(waiting.ReminderFired(T0.AddMinutes(5) - Rules.DueTolerance).StartAttempt);
        Assert.True(waiting.ReminderFired(T0.AddMinutes(6)).StartAttempt);

        var finished = Accepted();
        finished.AttemptFinished(finished.BeginAttempt(T0)!, Ok, TimeSpan.Zero, wrapped: false, T0);
        Assert.Equal(DeliveryPlan.Nothing with { Reminder = ReminderChange.Unregister, LogRow = LogRowChange.Replace }, finished.ReminderFired(T0.AddMinutes(1)));

        var missing = new WebhookDelivery(new WebhookDeliveryState(), Rules);
        Assert.Equal(DeliveryPlan.Nothing with { Reminder = ReminderChange.Unregister }, missing.ReminderFired(T0));
    }

    [Fact]
    public void A_lost_attempt_is_redone_when_the_in_flight_check_fires()
    {
        var delivery = Accepted();

        // The silo died during attempt 1: nothing was recorded, so the work is still due.
        Assert.Equal(Rules.InFlightCheck, delivery.ReminderDue(T0));
        Assert.True(delivery.ReminderFired(T0 + Rules.InFlightCheck).StartAttempt);
        Assert.Equal(1, delivery.BeginAttempt(T0 + Rules.InFlightCheck)!.Number);
    }

    [Fact]
    public void Resend_of_a_Failed_webhook_makes_one_more_attempt_that_can_succeed()
    {
        var delivery = FailedFiveTimes(out var now);

        var request = delivery.RequestResend(now);
        Assert.Equal(new DeliveryPlan(true, ReminderChange.RegisterIn(Rules.InFlightCheck), LogRowChange.None, true, DeliveryFacts.None), request);
        Assert.Equal(request with { WriteState = false }, delivery.RequestResend(now));

        var attempt = delivery.BeginAttempt(now)!;
        Assert.Equal((6, true), (attempt.Number, attempt.Resend));
        var plan = delivery.AttemptFinished(attempt, Ok, TimeSpan.Zero, wrapped: false, now);

        Assert.Equal(WebhookStatus.Succeeded, delivery.State.Status);
        Assert.Equal(5, delivery.State.AutomaticAttempts);
        Assert.False(delivery.State.ResendRequested);
        Assert.Equal(ReminderChange.Unregister, plan.Reminder);
    }

    [Fact]
    public void A_failed_resend_leaves_a_Failed_webhook_Failed_and_a_running_schedule_running()
    {
        var failed = FailedFiveTimes(out var now);
        failed.RequestResend(now);
        var plan = failed.AttemptFinished(failed.BeginAttempt(now)!, ServerError, TimeSpan.Zero, wrapped: false, now);
        Assert.Equal((WebhookStatus.Failed, 5, false), (failed.State.Status, failed.State.AutomaticAttempts, plan.StartAttempt));
        Assert.Null(failed.BeginAttempt(now.AddDays(1)));

        var running = Accepted();
        running.AttemptFinished(running.BeginAttempt(T0)!, ServerError, TimeSpan.Zero, wrapped: false, T0);
        running.RequestResend(T0.AddMinutes(1));
        running.AttemptFinished(running.BeginAttempt(T0.AddMinutes(1))!, ServerError, TimeSpan.Zero, wrapped: false, T0.AddMinutes(1));
        Assert.Equal((WebhookStatus.InProgress, 1, T0.AddMinutes(5)), (running.State.Status, running.State.AutomaticAttempts, running.State.NextAttemptDueUtc));
    }

    [Fact]
    public void A_repeated_webhook_found_on_insert_only_brings_its_reminder_and_row_in_line()
    {
        var waiting = Accepted();
        waiting.AttemptFinished(waiting.BeginAttempt(T0)!, ServerError, TimeSpan.Zero, wrapped: false, T0);

        Assert.Equal(new DeliveryPlan(false, ReminderChange.RegisterIn(TimeSpan.FromMinutes(3)), LogRowChange.Replace, false, DeliveryFacts.None),
            waiting.Reconcile(T0.AddMinutes(2)));
    }

    [Fact]
    public void The_log_row_keeps_100_characters_of_the_answer_or_of_the_error()
    {
        var delivery = Accepted();
        delivery.AttemptFinished(delivery.BeginAttempt(T0)!, AttemptOutcome.Answer(500, new string('a', 150), truncated: false), TimeSpan.Zero, wrapped: false, T0);
        Assert.Equal(new string('a', 100), delivery.LogRow("w").LastResponse);

        var refused = Accepted();
        refused.AttemptFinished(refused.BeginAttempt(T0)!, AttemptOutcome.Failure(AttemptFailure.ConnectionRefused, "Connection failed: refused"), TimeSpan.Zero, wrapped: false, T0);
        Assert.Equal(new WebhookLogItem("w", "r-1", ListeningPost.Transactional, T0, null, "Connection failed: refused", 1, WebhookStatus.InProgress), refused.LogRow("w"));
    }

    [Fact]
    public void The_posted_payload_is_wrapped_as_the_last_POST_was_and_an_unsent_attempt_changes_nothing()
    {
        var delivery = Accepted();
        delivery.AttemptFinished(delivery.BeginAttempt(T0)!, ServerError, TimeSpan.Zero, wrapped: true, T0);
        Assert.Equal(WebhookPayloadBuilder.WrapForServiceNow(delivery.State.Payload), delivery.PostedPayload);

        delivery.AttemptFinished(delivery.BeginAttempt(T0.AddMinutes(5))!, AttemptOutcome.Failure(AttemptFailure.NotSent, "off"), TimeSpan.Zero, wrapped: null, T0.AddMinutes(5));
        Assert.True(delivery.State.LastPostWrapped);
    }

    [Fact]
    public void A_failed_test_webhook_is_Failed_after_its_one_attempt_with_no_retry_and_its_reminder_removed()
    {
        var delivery = AcceptedTest();
        Assert.True(delivery.State.Test);
        Assert.Equal(1, delivery.AutomaticAttemptsAllowed);

        var plan = delivery.AttemptFinished(delivery.BeginAttempt(T0)!, ServerError, TimeSpan.FromSeconds(1), wrapped: false, T0.AddSeconds(1));

        Assert.Equal(WebhookStatus.Failed, delivery.State.Status);
        Assert.Null(delivery.State.NextAttemptDueUtc);
        Assert.Equal(ReminderChange.Unregister, plan.Reminder);
        Assert.False(plan.StartAttempt);
        Assert.Equal(WebhookStatus.Failed, plan.Facts.FinishedAs);
        Assert.Null(delivery.ReminderDue(T0.AddMinutes(5)));
        Assert.Null(delivery.BeginAttempt(T0.AddDays(1)));
    }

    [Fact]
    public void A_test_webhook_that_gets_a_200_is_Succeeded_like_any_other()
    {
        var delivery = AcceptedTest();

        delivery.AttemptFinished(delivery.BeginAttempt(T0)!, Ok, TimeSpan.Zero, wrapped: false, T0);

        Assert.Equal((WebhookStatus.Succeeded, 1), (delivery.State.Status, delivery.State.AutomaticAttempts));
    }

    [Fact]
    public void Resend_of_a_failed_test_webhook_makes_one_more_attempt_and_no_schedule()
    {
        var delivery = AcceptedTest();
        delivery.AttemptFinished(delivery.BeginAttempt(T0)!, ServerError, TimeSpan.Zero, wrapped: false, T0);

        delivery.RequestResend(T0.AddMinutes(1));
        var resend = delivery.BeginAttempt(T0.AddMinutes(1))!;
        Assert.Equal((2, true), (resend.Number, resend.Resend));
        var plan = delivery.AttemptFinished(resend, ServerError, TimeSpan.Zero, wrapped: false, T0.AddMinutes(1));

        Assert.Equal(WebhookStatus.Failed, delivery.State.Status);
        Assert.Equal(ReminderChange.Unregister, plan.Reminder);
        Assert.Null(delivery.BeginAttempt(T0.AddDays(1)));
    }

    [Fact]
    public void Only_a_test_webhook_is_sent_while_webhooks_are_off_and_its_log_row_says_test()
    {
        var survey = Accepted();
        var test = AcceptedTest();

        Assert.False(survey.SendsWhileTurnedOff);
        Assert.True(test.SendsWhileTurnedOff);
        Assert.Equal(5, survey.AutomaticAttemptsAllowed);
        Assert.False(survey.LogRow("w").Test);
        Assert.True(test.LogRow("w").Test);
    }

    private static WebhookDelivery AcceptedTest()
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), Rules);
        delivery.Accept(Trigger(T0) with { Test = true }, T0);
        return delivery;
    }

    private static WebhookDelivery Accepted()
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), Rules);
        delivery.Accept(Trigger(T0), T0);
        return delivery;
    }

    private static WebhookDelivery FailedFiveTimes(out DateTime now)
    {
        var delivery = Accepted();
        now = T0;
        while (delivery.BeginAttempt(now) is { } attempt)
        {
            delivery.AttemptFinished(attempt, ServerError, TimeSpan.Zero, wrapped: false, now);
            now = delivery.State.NextAttemptDueUtc ?? now.AddHours(2);
        }

        return delivery;
    }
}
