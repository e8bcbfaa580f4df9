using CIOPulse.Api.Endpoints;
using CIOPulse.Grains;
using CIOPulse.Grains.BulkResend;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Unit;

namespace CIOPulse.Tests.BulkResend;

/// <summary>
/// The pure parts of bulk resend: a webhook makes at most one attempt per operation and knows its
/// outcome on a repeated request; the tracker's prefix and counts whatever order attempts finish
/// in; the pacer's spacing; the filter's validation.
/// </summary>
public sealed class BulkResendRulesTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly AttemptOutcome Ok = AttemptOutcome.Answer(200, "ok", truncated: false);
    private static readonly AttemptOutcome Down = AttemptOutcome.Answer(503, "down", truncated: false);

    [Fact]
    public void A_bulk_request_is_persisted_and_its_attempt_is_a_resend_marked_with_the_operation()
    {
        var delivery = Finished(Ok);

        var plan = delivery.RequestBulkResend("op-1", T0.AddHours(1));

        Assert.True(plan.WriteState);
        Assert.True(plan.StartAttempt);
        Assert.IsType<ReminderChange.RegisterReminder>(plan.Reminder);
        Assert.Null(delivery.BulkResendOutcome("op-1"));
        var attempt = delivery.BeginAttempt(T0.AddHours(1))!;
        Assert.Equal((2, true, "op-1"), (attempt.Number, attempt.Resend, attempt.BulkResendId));
        delivery.AttemptFinished(attempt, Down, TimeSpan.FromMilliseconds(5), wrapped: false, T0.AddHours(1));

        Assert.Equal("op-1", delivery.State.Attempts[^1].BulkResendId);
        Assert.Null(delivery.State.Attempts[0].BulkResendId);
        Assert.Equal(BulkResendAttemptOutcome.Failed, delivery.BulkResendOutcome("op-1"));
    }

    [Fact]
    public void A_repeated_request_for_the_same_operation_makes_no_second_attempt_and_answers_the_first_s_outcome()
    {
        var delivery = Finished(Down);
        delivery.RequestBulkResend("op-1", T0);
        var attempt = delivery.BeginAttempt(T0)!;
        delivery.AttemptFinished(attempt, Ok, TimeSpan.FromMilliseconds(5), wrapped: false, T0);

        var again = delivery.RequestBulkResend("op-1", T0.AddMinutes(1));

        Assert.Equal(DeliveryPlan.Nothing, again);
        Assert.False(delivery.IsWorkDue(T0.AddMinutes(1)));
        Assert.Null(delivery.BeginAttempt(T0.AddMinutes(1)));
        Assert.Equal(BulkResendAttemptOutcome.Succeeded, delivery.BulkResendOutcome("op-1"));
        Assert.Single(delivery.State.Attempts, a => a.BulkResendId == "op-1");

        // Another operation does get its attempt.
        Assert.True(delivery.RequestBulkResend("op-2", T0.AddMinutes(2)).WriteState);
        Assert.Equal("op-2", delivery.BeginAttempt(T0.AddMinutes(2))!.BulkResendId);
    }

    [Fact]
    public void A_request_repeated_before_its_attempt_ran_asks_for_the_same_one_attempt()
    {
        var delivery = Finished(Down);
        delivery.RequestBulkResend("op-1", T0);

        // The crash came before the attempt was recorded: the replay asks again; still one attempt.
        var replay = delivery.RequestBulkResend("op-1", T0.AddSeconds(5));

        Assert.False(replay.WriteState);
        Assert.True(replay.StartAttempt);
        Assert.Single(delivery.State.BulkResends);
        var attempt = delivery.BeginAttempt(T0.AddSeconds(5))!;
        delivery.AttemptFinished(attempt, Ok, TimeSpan.FromMilliseconds(5), wrapped: false, T0.AddSeconds(5));
        Assert.Null(delivery.BeginAttempt(T0.AddSeconds(5)));
        Assert.Equal(2, delivery.State.Attempts.Count);
    }

    [Fact]
    public void A_plain_resend_waiting_with_a_bulk_one_is_answered_by_the_same_attempt()
    {
        var delivery = Finished(Down);
        delivery.RequestResend(T0);
        var plan = delivery.RequestBulkResend("op-1", T0);

        Assert.True(plan.WriteState); // the mark must be stored even though a resend was already asked for
        var attempt = delivery.BeginAttempt(T0)!;
        Assert.Equal("op-1", attempt.BulkResendId);
        delivery.AttemptFinished(attempt, Ok, TimeSpan.FromMilliseconds(5), wrapped: false, T0);
        Assert.Null(delivery.BeginAttempt(T0));
        Assert.Equal(BulkResendAttemptOutcome.Succeeded, delivery.BulkResendOutcome("op-1"));
    }

    [Fact]
    public void A_webhook_keeps_only_the_last_few_operation_marks()
    {
        var delivery = Finished(Down);
        for (var i = 0; i < WebhookDelivery.MaxBulkResendMarks + 3; i++)
        {
            delivery.RequestBulkResend($"op-{i}", T0);
            delivery.AttemptFinished(delivery.BeginAttempt(T0)!, Down, TimeSpan.Zero, wrapped: false, T0);
        }

        Assert.Equal(WebhookDelivery.MaxBulkResendMarks, delivery.State.BulkResends.Count);
        Assert.Equal($"op-{WebhookDelivery.MaxBulkResendMarks + 2}", delivery.State.BulkResends[^1].OperationId);
    }

    [Fact]
    public void The_tracker_moves_its_prefix_only_over_contiguous_outcomes_and_ignores_repeats()
    {
        var tracker = new BulkResendTracker(position: 10, succeeded: 7, failed: 3);

        tracker.Complete(12, BulkResendAttemptOutcome.Succeeded);
        tracker.Complete(11, BulkResendAttemptOutcome.Failed);
        Assert.Equal((10, 12), (tracker.Position, tracker.Done));
        Assert.Equal((7, 3), (tracker.PrefixSucceeded, tracker.PrefixFailed));
        Assert.Equal((8, 4), (tracker.Succeeded, tracker.Failed));

        tracker.Complete(10, BulkResendAttemptOutcome.NotFound); // counted as failed
        tracker.Complete(10, BulkResendAttemptOutcome.Succeeded); // a replayed answer counts once
        tracker.Complete(5, BulkResendAttemptOutcome.Succeeded);  // before the checkpoint: already counted

        Assert.Equal((13, 13), (tracker.Position, tracker.Done));
        Assert.Equal((8, 5), (tracker.PrefixSucceeded, tracker.PrefixFailed));
        Assert.Equal(tracker.Done, tracker.Succeeded + tracker.Failed);
    }

    [Fact]
    public void The_pacer_spaces_starts_one_interval_apart_and_does_not_burst_after_falling_behind()
    {
        var pacer = new BulkResendPacer(ratePerSecond: 20);
        var ms = (double v) => TimeSpan.FromMilliseconds(v);

        Assert.Equal(TimeSpan.Zero, pacer.WaitBeforeNext(ms(0)));
        pacer.Started();
        Assert.Equal(ms(50), pacer.WaitBeforeNext(ms(0)));
        Assert.Equal(ms(20), pacer.WaitBeforeNext(ms(30)));
        pacer.Started(); // the next is due at 100
        Assert.Equal(TimeSpan.Zero, pacer.WaitBeforeNext(ms(110))); // 10 ms late: no wait, and no shift
        pacer.Started(); // due at 150

        // A second behind (a slow receiver): it starts from now, not with twenty at once.
        Assert.Equal(TimeSpan.Zero, pacer.WaitBeforeNext(ms(1200)));
        pacer.Started();
        Assert.Equal(ms(50), pacer.WaitBeforeNext(ms(1200)));
    }

    [Theory]
    [InlineData("Failed", "Relationship", "2026-01-01T00:00:00Z", "2026-01-15T00:00:00Z", "503", null, null)]
    [InlineData(null, null, "2026-01-01T00:00:00+13:00", "2026-01-01T01:00:00Z", "none", null, null)]
    [InlineData(null, null, "2026-01-01T00:00", "2026-01-02T00:00", null, null, null)] // the portal's datetime-local: UTC
    [InlineData("Lost", null, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", null, "status", null)]
    [InlineData(null, "Email", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", null, "listeningPost", null)]
    [InlineData(null, null, null, "2026-01-02T00:00:00Z", null, "lastActivityFrom", "required")]
    [InlineData(null, null, "2026-01-01T00:00:00Z", null, null, "lastActivityUntil", "required")]
    [InlineData(null, null, "2026-01-01T00:00:00Z", "2026-01-15T00:00:00.001Z", null, "lastActivityUntil", "14 days")]
    [InlineData(null, null, "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z", null, "lastActivityUntil", "after")]
    [InlineData(null, null, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "600", "lastResponseCode", null)]
    [InlineData(null, null, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "-1", "lastResponseCode", null)]
    public void The_filter_is_read_or_refused_naming_the_field(
        string? status, string? post, string? from, string? until, string? code, string? field, string? says)
    {
        var (filter, faultField, message) = BulkResendInput.ReadFilter(status, post, from, until, code);

        Assert.Equal(field, faultField);
        if (field is null)
        {
            Assert.NotNull(filter);
            Assert.Equal(DateTimeKind.Utc, filter.LastActivityFromUtc.Kind);
            Assert.True(filter.LastActivityUntilUtc - filter.LastActivityFromUtc <= BulkResendFilter.MaxWindow);
        }
        else
        {
            Assert.Null(filter);
            Assert.Contains(says ?? "must", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_filter_reads_none_as_no_HTTP_answer_and_a_zoned_time_in_UTC()
    {
        var (filter, _, _) = BulkResendInput.ReadFilter(null, null, "2026-01-01T13:00:00+13:00", "2026-01-02T00:00:00Z", "none");

        Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), filter!.LastActivityFromUtc);
        Assert.Equal(BulkResendFilter.NoResponse, filter.LastResponseCode);
        var logFilter = BulkResendCoordinatorGrain.ToLogFilter(filter);
        Assert.True(logFilter.Matches(new WebhookLogItem("0000000000001", "r", ListeningPost.Transactional, filter.LastActivityFromUtc, null, "timed out", 1, WebhookStatus.Failed)));
        Assert.False(logFilter.Matches(new WebhookLogItem("0000000000001", "r", ListeningPost.Transactional, filter.LastActivityFromUtc, 503, "down", 1, WebhookStatus.Failed)));
        Assert.False(logFilter.Matches(new WebhookLogItem("0000000000001", "r", ListeningPost.Transactional, filter.LastActivityUntilUtc, null, "timed out", 1, WebhookStatus.Failed)));
    }

    private static WebhookDelivery Finished(AttemptOutcome outcome)
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), WebhookDeliveryTests.Rules);
        delivery.Accept(WebhookDeliveryTests.Trigger(T0.AddMinutes(-1)), T0.AddMinutes(-1));
        var attempt = delivery.BeginAttempt(T0.AddMinutes(-1))!;
        delivery.AttemptFinished(attempt, outcome, TimeSpan.FromMilliseconds(5), wrapped: false, T0.AddMinutes(-1));
        return delivery;
    }
}
