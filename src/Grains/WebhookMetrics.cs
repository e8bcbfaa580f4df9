using System.Diagnostics.Metrics;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// The delivery metrics of this silo (meter <c>CIOPulse.Webhooks</c>), exported by the host: how many
/// webhooks were accepted, how many attempts were made and how they ended, how long they took, and
/// how many webhooks finished Succeeded or Failed. Labels carry no customer data.
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

    public static void Accepted() => AcceptedCount.Add(1);

    public static void Attempted(AttemptOutcome outcome, bool resend, TimeSpan duration)
    {
        var result = outcome.Succeeded ? "success" : outcome.ResponseCode is null ? "network_error" : "http_error";
        var kind = resend ? "resend" : "automatic";
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", result), new KeyValuePair<string, object?>("kind", kind));
        AttemptDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", result));
    }

    public static void Finished(WebhookStatus status) =>
        FinishedCount.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));
}
