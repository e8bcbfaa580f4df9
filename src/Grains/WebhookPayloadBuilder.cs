using System.Globalization;
using System.Text;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// Builds the JSON body of the webhook call (SPEC §5). Written by hand rather than with
/// System.Text.Json because the receivers expect non-ASCII text raw and quotes as <c>\"</c>,
/// which the framework's encoders do not produce, and because every line break style must
/// arrive as <c>\n</c>.
/// </summary>
public static class WebhookPayloadBuilder
{
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Payload column names indexed by <see cref="ExperienceFactor"/> value.</summary>
    private static readonly string[] _factorMembers =
    [
        "Responsiveness",
        "Interpersonal",
        "Knowledge",
        "Communication",
        "Speed",
        "Confirmation",
        "Effort",
        "Other",
    ];

    /// <summary>
    /// The compact JSON object for <paramref name="completion"/>: the 25 members of SPEC §5 in
    /// order, every value a JSON string.
    /// </summary>
    public static string Build(string webhookId, SurveyCompletion completion, string serviceRecoveryNotesBaseUrl)
    {
        ArgumentNullException.ThrowIfNull(webhookId);
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentNullException.ThrowIfNull(serviceRecoveryNotesBaseUrl);
        ArgumentOutOfRangeException.ThrowIfNegative(completion.Overall);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(completion.Overall, 10);

        var isPromoter = completion.Overall >= 9;
        var selectedMask = SelectedMask(completion.SelectedFactors);

        var builder = new StringBuilder(768 + (completion.Comments?.Length ?? 0));
        builder.Append('{');
        AppendMember(builder, "Webhook_ID", webhookId, first: true);
        AppendMember(builder, "Response_ID", completion.ResponseId);
        AppendMember(builder, "Response_Datetime_UTC", FormatUtc(completion.ResponseDatetimeUtc));
        AppendMember(builder, "Ticket_ID", completion.TicketId);
        AppendMember(builder, "Support_Group_Code", completion.SupportGroupCode);
        AppendMember(builder, "Support_Group_Name", completion.SupportGroupName);
        AppendMember(builder, "Agent_ID", completion.AgentId);
        AppendMember(builder, "Segment_Code", completion.SegmentCode);
        AppendMember(builder, "Segment_Name", completion.SegmentName);
        AppendMember(builder, "Segment_2_Code", completion.Segment2Code);
        AppendMember(builder, "Segment_2_Name", completion.Segment2Name);
        AppendMember(builder, "Customer", completion.Customer);
        for (var factor = 0; factor < _factorMembers.Length; factor++)
        {
            var selected = (selectedMask & (1 << factor)) != 0;
            AppendMember(builder, _factorMembers[factor], !selected ? "0" : isPromoter ? "1" : "-1");
        }

        AppendMember(builder, "Overall", completion.Overall.ToString(CultureInfo.InvariantCulture));
        AppendMember(builder, "Comments", completion.Comments);
        AppendMember(builder, "SR_Notes_URL", ServiceRecoveryNotesUrl(serviceRecoveryNotesBaseUrl, completion.ResponseId));
        AppendMember(builder, "Survey_Description", completion.SurveyDescription);
        AppendMember(builder, "Survey_Language", completion.SurveyLanguage);
        builder.Append('}');
        return builder.ToString();
    }

    /// <summary>The body for accounts that post to a ServiceNow catalogue item.</summary>
    public static string WrapForServiceNow(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return string.Concat("{\"sysparm_quantity\":\"1\",\"variables\":", payload, "}");
    }

    private static int SelectedMask(IReadOnlyList<ExperienceFactor>? factors)
    {
        var mask = 0;
        if (factors is null)
        {
            return mask;
        }

        // A bit set makes duplicates harmless. Undefined enum values cannot come through request
        // validation and have no column, so they are left out rather than failing the delivery.
        foreach (var factor in factors)
        {
            if ((uint)factor < (uint)_factorMembers.Length)
            {
                mask |= 1 << (int)factor;
            }
        }

        return mask;
    }

    private static string FormatUtc(DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;
        return utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }

    private static string ServiceRecoveryNotesUrl(string baseUrl, string? responseId)
    {
        var id = Uri.EscapeDataString(responseId ?? "");
        if (!baseUrl.Contains('?', StringComparison.Ordinal))
        {
            return string.Concat(baseUrl, "?id=", id);
        }

        // A base that already ends in a separator needs none of its own.
        var separator = baseUrl.EndsWith('?') || baseUrl.EndsWith('&') ? "" : "&";
        return string.Concat(baseUrl, separator, "id=", id);
    }

    private static void AppendMember(StringBuilder builder, string name, string? value, bool first = false)
    {
        if (!first)
        {
            builder.Append(',');
        }

        // Member names are fixed ASCII identifiers and need no escaping.
        builder.Append('"').Append(name).Append("\":\"");
        AppendEscaped(builder, value);
        builder.Append('"');
    }

    private static void AppendEscaped(StringBuilder builder, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var text = value.AsSpan();
        var runStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c >= 0x20 && c != '"' && c != '\\' && !char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            builder.Append(text[runStart..i]);
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\n");
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                default:
                    if (char.IsSurrogate(c))
                    {
                        // A lone surrogate cannot be encoded as UTF-8; the body must stay valid.
                        builder.Append('\uFFFD');
                    }
                    else
                    {
                        builder.Append("\\u00").Append(HexDigits[c >> 4]).Append(HexDigits[c & 0xF]);
                    }

                    break;
            }

            runStart = i + 1;
        }

        builder.Append(text[runStart..]);
    }
}
