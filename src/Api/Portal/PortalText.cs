using System.Globalization;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Portal;

/// <summary>How the portal words and formats what it shows.</summary>
public static class PortalText
{
    /// <summary>A time as the Webhook Log shows it: GMT, to the second.</summary>
    public static string Gmt(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string StatusText(WebhookStatus status) => status switch
    {
        WebhookStatus.InProgress => "In Progress",
        WebhookStatus.Succeeded => "Succeeded",
        WebhookStatus.Failed => "Failed",
        _ => status.ToString(),
    };

    /// <summary>The CSS class that colours a status (the text always says it too).</summary>
    public static string StatusClass(WebhookStatus status) => status switch
    {
        WebhookStatus.Succeeded => "status-succeeded",
        WebhookStatus.Failed => "status-failed",
        _ => "status-in-progress",
    };

    /// <summary>The reason an attempt failed, in words; null for a success.</summary>
    public static string? FailureText(AttemptRecord attempt)
    {
        if (attempt.Failure is not { } failure)
        {
            // Succeeded, or recorded before failures were classed.
            return attempt.ResponseCode is 200 ? null : attempt.ResponseCode is { } code ? $"HTTP {code}" : "Network error";
        }

        return failure switch
        {
            AttemptFailure.Timeout => "Timeout",
            AttemptFailure.ConnectionRefused => "Connection refused",
            AttemptFailure.Dns => "DNS: host not found",
            AttemptFailure.Tls => "TLS handshake failed",
            AttemptFailure.Redirect => $"HTTP {attempt.ResponseCode}: redirect not followed",
            AttemptFailure.HttpClientError => $"HTTP {attempt.ResponseCode} (4xx: the receiver refused the request)",
            AttemptFailure.HttpServerError => $"HTTP {attempt.ResponseCode} (5xx: the receiver failed)",
            AttemptFailure.UnexpectedStatus => $"HTTP {attempt.ResponseCode}: only 200 counts as delivered",
            AttemptFailure.ConnectionClosed => "Connection closed before a complete answer",
            AttemptFailure.InvalidResponse => "Not a valid HTTP answer",
            AttemptFailure.DestinationRefused => "Destination refused: private or internal address",
            AttemptFailure.NotSent => "Not sent",
            AttemptFailure.DestinationBusy => "Not sent: the receiver was busy with earlier requests",
            _ => "Network error",
        };
    }

    /// <summary>"in 4 min", "in 12 s", "now" — how far off a time is.</summary>
    public static string Until(DateTime utc, DateTime nowUtc)
    {
        var wait = utc - nowUtc;
        return wait <= TimeSpan.Zero ? "now"
            : wait < TimeSpan.FromMinutes(1) ? $"in {Math.Ceiling(wait.TotalSeconds):0} s"
            : wait < TimeSpan.FromHours(1) ? $"in {Math.Ceiling(wait.TotalMinutes):0} min"
            : $"in {wait.TotalHours:0.#} h";
    }
}
