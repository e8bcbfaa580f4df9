using System.Diagnostics;

namespace CIOPulse.Grains;

/// <summary>
/// The delivery's own spans: one per attempt, between the grain call that led to it and the
/// HttpClient span of its POST. The first attempt runs in a grain timer, where no ambient activity
/// flows, so the grain hands in the context of the call that scheduled it; a retry (woken by the
/// reminder, perhaps much later and on another silo) starts a trace of its own with a link to the
/// trace that accepted the webhook. Attributes never carry the URL, the payload or credentials.
/// </summary>
public static class WebhookTracing
{
    public const string SourceName = "CIOPulse.Webhooks";
    public const string AttemptSpanName = "webhook attempt";

    public const string WebhookIdAttribute = "ciopulse.webhook_id";
    public const string AttemptAttribute = "ciopulse.attempt";
    public const string ResendAttribute = "ciopulse.resend";
    public const string OutcomeAttribute = "ciopulse.outcome";
    public const string FailureAttribute = "ciopulse.failure";
    public const string StatusCodeAttribute = "http.response.status_code";
    public const string ErrorTypeAttribute = "error.type";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span as a W3C <c>traceparent</c>, to be kept with the webhook; null when nothing is traced.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// Starts the span of one attempt as a child of <paramref name="parent"/>, or as the root of a new
    /// trace when there is none, linked to <paramref name="acceptedTraceParent"/> when that is another trace.
    /// </summary>
    public static Activity? StartAttempt(string webhookId, int number, bool resend, ActivityContext? parent, string? acceptedTraceParent)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = ActivityContext.TryParse(acceptedTraceParent, null, out var accepted)
            && accepted.TraceId != (parent?.TraceId ?? default)
                ? [new ActivityLink(accepted)]
                : null;
        ActivityTagsCollection tags = new()
        {
            [WebhookIdAttribute] = webhookId,
            [AttemptAttribute] = number,
            [ResendAttribute] = resend,
        };

        // Without a parent of its own the span is a root: whatever activity the timer's thread
        // happens to carry is not its cause.
        Activity.Current = null;
        return Source.StartActivity(AttemptSpanName, ActivityKind.Internal, parent ?? default, tags, links);
    }

    /// <summary>Records how the attempt ended: its status code when an answer came, its outcome and failure class.</summary>
    public static void RecordOutcome(Activity? activity, AttemptOutcome outcome)
    {
        if (activity is null)
        {
            return;
        }

        if (outcome.ResponseCode is { } code)
        {
            activity.SetTag(StatusCodeAttribute, code);
        }

        activity.SetTag(OutcomeAttribute, outcome.Succeeded ? "succeeded" : "failed");
        if (!outcome.Succeeded)
        {
            var failure = outcome.FailureName;
            activity.SetTag(FailureAttribute, failure);
            activity.SetTag(ErrorTypeAttribute, failure);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
