using System.Globalization;
using CIOPulse.Api.Json;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

/// <summary>
/// A bulk resend's filter from its parts as the API's body or the portal's form gives them, or the
/// field at fault and why: the window (lastActivityFrom, lastActivityUntil) is required, until after
/// from and at most 14 days later; status and listening post by name; the last response code an
/// HTTP status (100 to 599) or "none" for webhooks whose last attempt got no HTTP answer.
/// </summary>
public static class BulkResendInput
{
    public const string None = "none";

    public static (BulkResendFilter? Filter, string? Field, string? Message) ReadFilter(
        string? status, string? listeningPost, string? lastActivityFrom, string? lastActivityUntil, string? lastResponseCode)
    {
        WebhookStatus? statusFilter = null;
        if (status is not null)
        {
            if (!EnumNames.TryParse<WebhookStatus>(status, out var parsed))
            {
                return (null, "status", "must be InProgress, Succeeded or Failed.");
            }

            statusFilter = parsed;
        }

        ListeningPost? post = null;
        if (listeningPost is not null)
        {
            if (!EnumNames.TryParse<ListeningPost>(listeningPost, out var parsed))
            {
                return (null, "listeningPost", "must be Transactional or Relationship.");
            }

            post = parsed;
        }

        if (ReadInstant(lastActivityFrom) is not { } from)
        {
            return (null, "lastActivityFrom", lastActivityFrom is null ? "is required: an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z." : "must be an ISO 8601 date and time, e.g. 2026-12-01T00:00:00Z.");
        }

        if (ReadInstant(lastActivityUntil) is not { } until)
        {
            return (null, "lastActivityUntil", lastActivityUntil is null ? "is required: an ISO 8601 date and time, e.g. 2026-12-08T00:00:00Z." : "must be an ISO 8601 date and time, e.g. 2026-12-08T00:00:00Z.");
        }

        if (until <= from)
        {
            return (null, "lastActivityUntil", "must be after lastActivityFrom.");
        }

        if (until - from > BulkResendFilter.MaxWindow)
        {
            return (null, "lastActivityUntil", $"must be at most {BulkResendFilter.MaxWindow.TotalDays:0} days after lastActivityFrom.");
        }

        int? code = null;
        if (lastResponseCode is not null)
        {
            if (string.Equals(lastResponseCode, None, StringComparison.OrdinalIgnoreCase))
            {
                code = BulkResendFilter.NoResponse;
            }
            else if (int.TryParse(lastResponseCode, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 100 and <= 599)
            {
                code = number;
            }
            else
            {
                return (null, "lastResponseCode", "must be an HTTP status from 100 to 599, or \"none\" for webhooks whose last attempt got no HTTP answer.");
            }
        }

        return (new BulkResendFilter(statusFilter, post, from, until, code), null, null);
    }

    /// <summary>An instant with a zone (Z or an offset), or a local-looking one taken as UTC (the portal's form inputs), in UTC.</summary>
    public static DateTime? ReadInstant(string? text) =>
        text is { Length: > 0 and <= 64 }
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant)
            ? instant.UtcDateTime
            : null;

    /// <summary>The response code as the API writes it back: the number, or "none".</summary>
    public static string? FormatCode(int? code) => code switch
    {
        null => null,
        BulkResendFilter.NoResponse => None,
        { } number => number.ToString(CultureInfo.InvariantCulture),
    };
}
