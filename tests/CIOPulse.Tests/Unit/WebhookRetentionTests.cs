using System.ComponentModel.DataAnnotations;
using CIOPulse.Api;
using CIOPulse.Grains;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Configuration;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// The retention rule of the delivery core: which webhooks may expire (finished, nothing pending,
/// last activity before the cut-off), what expiring removes and keeps, and what an expired webhook
/// still does. Plus the options that set it.
/// </summary>
public sealed class WebhookRetentionTests
{
    private static readonly DeliveryRules Rules = WebhookDeliveryTests.Rules;
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Later = T0.AddDays(100);

    public enum Shape
    {
        Succeeded,
        Failed,
        InProgressAfterAFailure,
        SucceededWithAResendWaiting,
        SucceededThenResentAfterTheCutoff,
    }

    [Theory]
    [InlineData(Shape.Succeeded, ExpireOutcome.Expired)]
    [InlineData(Shape.Failed, ExpireOutcome.Expired)]
    [InlineData(Shape.InProgressAfterAFailure, ExpireOutcome.Kept)]
    [InlineData(Shape.SucceededWithAResendWaiting, ExpireOutcome.Kept)]
    [InlineData(Shape.SucceededThenResentAfterTheCutoff, ExpireOutcome.Kept)]
    public void Only_a_finished_webhook_with_nothing_pending_and_its_last_activity_before_the_cutoff_expires(Shape shape, ExpireOutcome expected)
    {
        var delivery = Make(shape);
        var cutoff = T0.AddDays(10);

        Assert.Equal(expected, delivery.ExpiryCheck(cutoff));
        var plan = delivery.Expire(cutoff, Later);

        Assert.Equal(expected == ExpireOutcome.Expired, delivery.IsExpired);
        Assert.Equal(expected == ExpireOutcome.Expired ? Later : null, delivery.State.ExpiredUtc);
        Assert.Equal(expected == ExpireOutcome.Expired, plan.WriteState);
        Assert.Equal(expected == ExpireOutcome.Expired ? LogRowChange.Replace : LogRowChange.None, plan.LogRow);
    }

    [Fact]
    public void The_cutoff_is_exclusive_a_webhook_last_active_at_the_cutoff_is_kept()
    {
        var delivery = Make(Shape.Succeeded);
        var lastActivity = delivery.State.LastActivityUtc;

        Assert.Equal(ExpireOutcome.Kept, delivery.ExpiryCheck(lastActivity));
        Assert.Equal(ExpireOutcome.Expired, delivery.ExpiryCheck(lastActivity.AddTicks(1)));
    }

    [Fact]
    public void Expiring_removes_the_payload_and_every_response_body_and_keeps_codes_times_errors_and_the_rows_place()
    {
        var delivery = Make(Shape.Failed);
        var before = delivery.State.Attempts.ToList();
        var rowBefore = delivery.LogRow("w");
        Assert.NotEmpty(delivery.State.Payload);
        Assert.Contains(before, a => a.Response is not null);

        var plan = delivery.Expire(T0.AddDays(10), Later);

        Assert.Equal(new DeliveryPlan(true, ReminderChange.Keep, LogRowChange.Replace, false, DeliveryFacts.None), plan);
        Assert.Equal("", delivery.State.Payload);
        Assert.Equal("", delivery.PostedPayload);
        Assert.All(delivery.State.Attempts, a => Assert.Null(a.Response));
        Assert.All(delivery.State.Attempts, a => Assert.False(a.ResponseTruncated));
        Assert.Equal(
            before.Select(a => (a.Number, a.StartedUtc, a.DurationMs, a.ResponseCode, a.Error, a.Failure)),
            delivery.State.Attempts.Select(a => (a.Number, a.StartedUtc, a.DurationMs, a.ResponseCode, a.Error, a.Failure)));
        var row = delivery.LogRow("w");
        Assert.True(row.Expired);
        Assert.Equal(rowBefore with { Expired = true, LastResponse = null }, row);
        Assert.Equal(WebhookStatus.Failed, delivery.State.Status);
    }

    [Fact]
    public void A_network_error_description_is_not_a_body_and_stays_in_the_row()
    {
        var delivery = Accepted();
        var attempt = delivery.BeginAttempt(T0)!;
        delivery.AttemptFinished(attempt, AttemptOutcome.Failure(AttemptFailure.ConnectionRefused, "Connection refused"), TimeSpan.FromMilliseconds(3), wrapped: null, T0);
        delivery.State.NextAttemptDueUtc = null;
        delivery.State.Status = WebhookStatus.Failed;

        delivery.Expire(T0.AddDays(1), Later);

        Assert.Equal("Connection refused", delivery.LogRow("w").LastResponse);
        Assert.Equal("Connection refused", delivery.State.Attempts[0].Error);
    }

    [Fact]
    public void An_expired_webhook_met_again_only_has_its_log_row_made_again_and_cannot_be_resent()
    {
        var delivery = Make(Shape.Succeeded);
        delivery.Expire(T0.AddDays(10), Later);

        Assert.Equal(ExpireOutcome.AlreadyExpired, delivery.ExpiryCheck(T0.AddDays(10)));
        Assert.Equal(DeliveryPlan.Nothing with { LogRow = LogRowChange.Replace }, delivery.Expire(T0.AddDays(10), Later.AddDays(1)));
        Assert.Equal(Later, delivery.State.ExpiredUtc);
        Assert.Throws<InvalidOperationException>(() => delivery.RequestResend(Later));
        Assert.False(delivery.IsWorkDue(Later));
    }

    [Fact]
    public void A_webhook_that_was_never_stored_is_not_found()
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), Rules);

        Assert.Equal(ExpireOutcome.NotFound, delivery.ExpiryCheck(Later));
        Assert.Equal(DeliveryPlan.Nothing, delivery.Expire(Later, Later));
    }

    [Fact]
    public void A_ServiceNow_wrapped_webhook_shows_no_wrapper_around_an_empty_payload_once_expired()
    {
        var delivery = Accepted();
        var attempt = delivery.BeginAttempt(T0)!;
        delivery.AttemptFinished(attempt, AttemptOutcome.Answer(200, "ok", truncated: false), TimeSpan.FromMilliseconds(5), wrapped: true, T0);
        Assert.StartsWith("{\"sysparm_quantity\"", delivery.PostedPayload, StringComparison.Ordinal);

        delivery.Expire(T0.AddDays(1), Later);

        Assert.Equal("", delivery.PostedPayload);
    }

    [Fact]
    public void Retention_options_default_to_90_days_a_10_minute_sweep_and_batches_of_500()
    {
        var options = new WebhookOptions();

        Assert.Equal(TimeSpan.FromDays(90), options.Retention);
        Assert.Equal(TimeSpan.FromMinutes(10), options.RetentionSweepInterval);
        Assert.Equal(500, options.RetentionSweepBatchSize);
    }

    [Fact]
    public void RetentionDays_takes_a_fraction_for_tests_in_seconds()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:RetentionDays"] = "0.0000232",
            ["Webhooks:RetentionSweepInterval"] = "00:00:01",
        }).Build();
        var options = new WebhookOptions();

        configuration.GetSection(WebhookOptions.SectionName).Bind(options);

        Assert.InRange(options.Retention, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.01));
        Assert.Equal(TimeSpan.FromSeconds(1), options.RetentionSweepInterval);
        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Theory]
    [InlineData(0.0, 500, "00:10:00", "Webhooks:RetentionDays")]
    [InlineData(40000.0, 500, "00:10:00", "Webhooks:RetentionDays")]
    [InlineData(90.0, 0, "00:10:00", "Webhooks:RetentionSweepBatchSize")]
    [InlineData(90.0, 500, "00:00:00.5", "Webhooks:RetentionSweepInterval")]
    [InlineData(90.0, 500, "2.00:00:00", "Webhooks:RetentionSweepInterval")]
    public void Out_of_range_retention_settings_are_refused_naming_the_key(double days, int batchSize, string interval, string key)
    {
        var options = new WebhookOptions { RetentionDays = days, RetentionSweepBatchSize = batchSize, RetentionSweepInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) };
        var results = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        Assert.Contains(results, r => r.ErrorMessage!.StartsWith(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(90.0, "90 days")]
    [InlineData(1.0, "1 day")]
    [InlineData(0.5, "0.5 days")]
    [InlineData(0.0000232, "0.0000232 days")]
    public void The_portal_and_the_resend_refusal_name_the_retention_in_days(double days, string text)
    {
        Assert.Equal(text, new RetentionOptions { RetentionDays = days }.DaysText);
    }

    private static WebhookDelivery Accepted()
    {
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), Rules);
        delivery.Accept(WebhookDeliveryTests.Trigger(T0), T0);
        return delivery;
    }

    /// <summary>A webhook last active at (about) <see cref="T0"/>, or after the cut-off for the resent one.</summary>
    private static WebhookDelivery Make(Shape shape)
    {
        var delivery = Accepted();
        var attempt = delivery.BeginAttempt(T0)!;
        var failed = shape is Shape.Failed or Shape.InProgressAfterAFailure;
        delivery.AttemptFinished(attempt, failed ? AttemptOutcome.Answer(500, "down", truncated: false) : AttemptOutcome.Answer(200, "ok", truncated: false),
            TimeSpan.FromMilliseconds(7), wrapped: false, T0);
        switch (shape)
        {
            case Shape.Failed:
                // The rest of the schedule fails too.
                while (delivery.State.Status == WebhookStatus.InProgress)
                {
                    var due = delivery.State.NextAttemptDueUtc!.Value;
                    delivery.AttemptFinished(delivery.BeginAttempt(due)!, AttemptOutcome.Answer(500, "still down", truncated: false), TimeSpan.FromMilliseconds(7), wrapped: false, due);
                }

                break;
            case Shape.SucceededWithAResendWaiting:
                delivery.RequestResend(T0.AddDays(1));
                break;
            case Shape.SucceededThenResentAfterTheCutoff:
                delivery.RequestResend(T0.AddDays(20));
                delivery.AttemptFinished(delivery.BeginAttempt(T0.AddDays(20))!, AttemptOutcome.Answer(200, "ok", truncated: false), TimeSpan.FromMilliseconds(7), wrapped: false, T0.AddDays(20));
                break;
        }

        return delivery;
    }
}
