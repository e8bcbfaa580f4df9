using System.Diagnostics.Metrics;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;

namespace CIOPulse.Grains;

/// <summary>
/// The delivery metrics of this silo (meter <c>CIOPulse.Webhooks</c>), exported by the host: how many
/// webhooks were accepted, how many attempts were made and how they ended, how long they took, and
/// how many webhooks finished Succeeded or Failed, and how long a webhook waited for its first attempt.
/// Labels carry no customer data.
/// </summary>
public static class WebhookMetrics
{
    public const string MeterName = "CIOPulse.Webhooks";

    // One meter per process, as the .NET metrics guidance has it: exporters subscribe by meter name,
    // and two meters of one name (two hosts in one test process) would export clashing instruments.
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> AcceptedCount = Meter.CreateCounter<long>("ciopulse.webhooks.accepted", description: "Webhooks accepted (persisted with their reminder).");
    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("ciopulse.webhooks.attempts", description: "POSTs made, by outcome (success, http_error, network_error) and kind (automatic, resend).");
    private static readonly Histogram<double> AttemptDuration = Meter.CreateHistogram<double>("ciopulse.webhooks.attempt.duration", unit: "s", description: "Duration of one POST.");
    private static readonly Counter<long> FinishedCount = Meter.CreateCounter<long>("ciopulse.webhooks.finished", description: "Webhooks that reached a final status, by status.");
    private static readonly Counter<long> ExpiredCount = Meter.CreateCounter<long>("ciopulse.webhooks.expired", description: "Webhooks whose payload and response bodies the retention removed.");
    private static readonly Histogram<double> FirstAttemptDelay = Meter.CreateHistogram<double>(
        "ciopulse.webhooks.first_attempt.delay", unit: "s", description: "Time from a webhook's acceptance to the start of its first attempt.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    // Cluster-wide counts, sampled by each silo (WebhookBacklogSampler): every silo reports the
    // same number, so aggregate them with max, not sum. Nothing is reported before the first sample.
    private static WebhookBacklog? _backlog;
    private static readonly ObservableGauge<long> InProgressGauge = Meter.CreateObservableGauge(
        "ciopulse.webhooks.in_progress", () => Observe(b => b.InProgress), description: "Webhooks InProgress in the whole cluster (the same on every silo: take the max).");
    private static readonly ObservableGauge<long> RetriesPendingGauge = Meter.CreateObservableGauge(
        "ciopulse.webhooks.retries_pending", () => Observe(b => b.RetriesPending), description: "Webhooks InProgress after a failed attempt, waiting for a retry, in the whole cluster (take the max).");

    public static void Accepted() => AcceptedCount.Add(1);

    /// <summary>The latest count of the cluster's webhooks InProgress.</summary>
    public static void Sampled(WebhookBacklog backlog) => Volatile.Write(ref _backlog, backlog);

    private static IEnumerable<Measurement<long>> Observe(Func<WebhookBacklog, long> value) =>
        Volatile.Read(ref _backlog) is { } backlog ? [new Measurement<long>(value(backlog))] : [];

    /// <summary>One attempt: by outcome, kind and failure class (a fixed set of names: never an account, a URL or a code).</summary>
    public static void Attempted(AttemptOutcome outcome, bool resend, TimeSpan duration)
    {
        var result = outcome.Succeeded ? "success" : outcome.ResponseCode is null ? "network_error" : "http_error";
        var kind = resend ? "resend" : "automatic";
        var failure = outcome.FailureName ?? "none";
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result), new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("failure", failure));
        AttemptDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", result));
    }

    /// <summary>How long an accepted webhook waited for its first attempt to start.</summary>
    public static void FirstAttemptStarted(TimeSpan sinceAccepted) => FirstAttemptDelay.Record(Math.Max(0, sinceAccepted.TotalSeconds));

    /// <summary>A webhook the retention sweep expired.</summary>
    public static void Expired() => ExpiredCount.Add(1);

    public static void Finished(WebhookStatus status) =>
        FinishedCount.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
}
