using System.Diagnostics;
using CIOPulse.Grains;
using CIOPulse.Grains.Delivery;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

/// <summary>The attempt span's place in the traces: a child of the call that scheduled it, or a root linked to the accepting trace.</summary>
public sealed class WebhookTracingTests : IDisposable
{
    private const string Accepted = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name == WebhookTracing.SourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public WebhookTracingTests() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void The_first_attempt_is_a_child_of_the_accepting_call_without_a_link_to_its_own_trace()
    {
        var accepted = ActivityContext.Parse(Accepted, null);

        using var span = WebhookTracing.StartAttempt("abc", 1, resend: false, accepted, Accepted);

        Assert.NotNull(span);
        Assert.Equal(accepted.TraceId, span.TraceId);
        Assert.Equal(accepted.SpanId, span.ParentSpanId);
        Assert.Empty(span.Links);
        Assert.Equal("abc", span.GetTagItem(WebhookTracing.WebhookIdAttribute));
        Assert.Equal(1, span.GetTagItem(WebhookTracing.AttemptAttribute));
    }

    [Fact]
    public void A_retry_without_a_parent_is_a_new_trace_linked_to_the_accepting_one_even_under_an_unrelated_current_activity()
    {
        using var unrelated = new Activity("unrelated").Start();

        using var span = WebhookTracing.StartAttempt("abc", 2, resend: false, parent: null, Accepted);

        Assert.NotNull(span);
        Assert.Equal(default, span.ParentSpanId);
        Assert.NotEqual(unrelated.TraceId, span.TraceId);
        var link = Assert.Single(span.Links);
        Assert.Equal(ActivityContext.Parse(Accepted, null), link.Context);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a traceparent")]
    public void A_webhook_accepted_without_a_trace_gets_no_link(string? accepted)
    {
        using var span = WebhookTracing.StartAttempt("abc", 2, resend: false, parent: null, accepted);

        Assert.NotNull(span);
        Assert.Empty(span.Links);
    }

    [Fact]
    public void Accepting_a_webhook_keeps_the_accepting_traceparent_in_its_state()
    {
        var now = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        var delivery = new WebhookDelivery(new WebhookDeliveryState(), WebhookDeliveryTests.Rules);

        delivery.Accept(WebhookDeliveryTests.Trigger(now), now, Accepted);

        Assert.Equal(Accepted, delivery.State.AcceptedTraceParent);
    }

    [Theory]
    [InlineData(200, null, "succeeded", null)]
    [InlineData(503, null, "failed", "HttpServerError")]
    [InlineData(null, AttemptFailure.Timeout, "failed", "Timeout")]
    public void The_outcome_is_recorded_with_its_code_and_failure_class(int? code, AttemptFailure? failure, string outcome, string? failureClass)
    {
        using var span = WebhookTracing.StartAttempt("abc", 1, resend: false, parent: null, null);
        var result = code is { } status ? AttemptOutcome.Answer(status, "body", truncated: false) : AttemptOutcome.Failure(failure!.Value, "timed out");

        WebhookTracing.RecordOutcome(span, result);

        Assert.Equal(code, span!.GetTagItem(WebhookTracing.StatusCodeAttribute));
        Assert.Equal(outcome, span.GetTagItem(WebhookTracing.OutcomeAttribute));
        Assert.Equal(failureClass, span.GetTagItem(WebhookTracing.FailureAttribute));
        Assert.Equal(failureClass is null ? ActivityStatusCode.Unset : ActivityStatusCode.Error, span.Status);
    }
}
