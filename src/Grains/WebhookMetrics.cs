using System.Diagnostics.Metrics;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// The delivery metrics of this silo (meter <c>CIOPulse.Webhooks</c>), exported by the host: how many
/// webhooks were accepted, how many attempts were made and how they ended, how long they took, and
/// how many webhooks finished Succeeded or Failed. Labels carry no customer data.
/// </summary>
public sealed class WebhookMetrics : IDisposable
{
    public const string MeterName = "CIOPulse.Webhooks";

    private readonly Meter _meter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _finished;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _accepted = _meter.CreateCounter<long>("ciopulse.webhooks.accepted", description: "Webhooks accepted (persisted with their reminder).");
        _attempts = _meter.CreateCounter<long>("ciopulse.webhooks.attempts", description: "POSTs made, by outcome (success, http_error, network_error) and kind (automatic, resend).");
        _attemptDuration = _meter.CreateHistogram<double>("ciopulse.webhooks.attempt.duration", unit: "s", description: "Duration of one POST.");
        _finished = _meter.CreateCounter<long>("ciopulse.webhooks.finished", description: "Webhooks that reached a final status, by status.");
    }

    public void Accepted() => _accepted.Add(1);

    public void Attempted(AttemptOutcome outcome, bool resend, TimeSpan duration)
    {
        var result = outcome.Succeeded ? "success" : outcome.ResponseCode is null ? "network_error" : "http_error";
        var kind = resend ? "resend" : "automatic";
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", result), new KeyValuePair<string, object?>("kind", kind));
        _attemptDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", result));
    }

    public void Finished(WebhookStatus status) =>
        _finished.Add(1, new KeyValuePair<string, object?>("status", status.ToString()));

    public void Dispose() => _meter.Dispose();
}
