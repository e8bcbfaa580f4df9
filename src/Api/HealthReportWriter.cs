using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CIOPulse.Api;

/// <summary>
/// <c>/health/ready</c> and <c>/health/live</c> as JSON a person and an orchestrator can read: the
/// overall status, and each check's status, duration and description (never an exception's text,
/// which may name internals). Unhealthy answers 503, Healthy and Degraded 200.
/// </summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                    // A check that threw has the exception's message as its description: not shown.
                    description = entry.Value.Exception is { } e && entry.Value.Description == e.Message ? "The check failed; the service's log has the reason." : entry.Value.Description,
                    data = entry.Value.Data.Count == 0 ? null : entry.Value.Data,
                }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Options, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}
