using System.Globalization;
using System.Text.Json;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Json;

/// <summary>Validates the survey app's JSON (SPEC §4) into a <see cref="SurveyCompletion"/>.</summary>
public static class SurveyCompletionReader
{
    public const int MaxResponseIdLength = 128;

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>The completion, or the field at fault and why.</summary>
    public static (SurveyCompletion? Completion, string? Field, string? Error) Read(JsonElement body, DateTime nowUtc)
    {
        if (!JsonFields.TryGetString(body, "Listening_Post", out var listeningPostText, out var error))
        {
            return Fail("Listening_Post", error!);
        }

        var listeningPost = ListeningPost.Transactional;
        if (listeningPostText is not null && !TryParseListeningPost(listeningPostText, out listeningPost))
        {
            return Fail("Listening_Post", $"must be Transactional or Relationship, not '{listeningPostText}'.");
        }

        if (!JsonFields.TryGetString(body, "Response_ID", out var responseId, out error))
        {
            return Fail("Response_ID", error!);
        }

        if (string.IsNullOrWhiteSpace(responseId))
        {
            return Fail("Response_ID", "is required and must not be empty.");
        }

        if (responseId.Length > MaxResponseIdLength)
        {
            return Fail("Response_ID", $"must be at most {MaxResponseIdLength} characters.");
        }

        // An id is searched for and shown as text; PostgreSQL's text cannot hold U+0000.
        if (responseId.Contains('\0', StringComparison.Ordinal))
        {
            return Fail("Response_ID", "must not contain the NUL character (U+0000).");
        }

        if (!JsonFields.TryGetInt(body, "Overall", out var overall, out error))
        {
            return Fail("Overall", error!);
        }

        if (overall is null)
        {
            return Fail("Overall", "is required: a whole number from 0 to 10.");
        }

        if (overall is < 0 or > 10)
        {
            return Fail("Overall", $"must be from 0 to 10, not {overall}.");
        }

        if (!JsonFields.TryGetString(body, "Response_Datetime_UTC", out var datetimeText, out error))
        {
            return Fail("Response_Datetime_UTC", error!);
        }

        var responseTime = nowUtc;
        if (datetimeText is not null && !TryParseUtc(datetimeText, out responseTime))
        {
            return Fail("Response_Datetime_UTC", $"must be a UTC time like 2021-07-29 07:50:52, not '{datetimeText}'.");
        }

        var (factors, factorError) = ReadFactors(body);
        if (factorError is not null)
        {
            return Fail("Selected_Factors", factorError);
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in (string[])["Ticket_ID", "Support_Group_Code", "Support_Group_Name", "Agent_ID", "Segment_Code", "Segment_Name",
                     "Segment_2_Code", "Segment_2_Name", "Customer", "Comments", "Survey_Description", "Survey_Language"])
        {
            if (!JsonFields.TryGetString(body, name, out var text, out error))
            {
                return Fail(name, error!);
            }

            texts[name] = text ?? "";
        }

        var completion = new SurveyCompletion
        {
            ListeningPost = listeningPost,
            ResponseId = responseId,
            ResponseDatetimeUtc = responseTime,
            TicketId = texts["Ticket_ID"],
            SupportGroupCode = texts["Support_Group_Code"],
            SupportGroupName = texts["Support_Group_Name"],
            AgentId = texts["Agent_ID"],
            SegmentCode = texts["Segment_Code"],
            SegmentName = texts["Segment_Name"],
            Segment2Code = texts["Segment_2_Code"],
            Segment2Name = texts["Segment_2_Name"],
            Customer = texts["Customer"],
            Overall = overall.Value,
            SelectedFactors = factors,
            Comments = texts["Comments"],
            SurveyDescription = texts["Survey_Description"],
            SurveyLanguage = texts["Survey_Language"],
        };
        return (completion, null, null);
    }

    public static bool TryParseListeningPost(string text, out ListeningPost listeningPost) =>
        EnumNames.TryParse(text, out listeningPost);

    private static (IReadOnlyList<ExperienceFactor> Factors, string? Error) ReadFactors(JsonElement body)
    {
        if (!body.TryGetProperty("Selected_Factors", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return ([], null);
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            return ([], $"must be an array of factor names, not {JsonFields.Describe(array.ValueKind)}.");
        }

        var factors = new List<ExperienceFactor>();
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                return ([], $"must hold only strings, not {JsonFields.Describe(element.ValueKind)}.");
            }

            var name = element.GetString()!;
            if (!EnumNames.TryParse<ExperienceFactor>(name, out var factor))
            {
                return ([], $"'{name}' is not an experience factor; use Responsiveness, Interpersonal, Knowledge, Communication, Speed, Confirmation, Effort or Other.");
            }

            if (!factors.Contains(factor))
            {
                factors.Add(factor);
            }
        }

        return (factors, null);
    }

    /// <summary>The SPEC's <c>yyyy-MM-dd HH:mm:ss</c> (UTC), or ISO 8601 with 'T', optional fraction and optional Z/offset.</summary>
    private static bool TryParseUtc(string text, out DateTime utc)
    {
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            utc = parsed.UtcDateTime;
            return true;
        }

        utc = default;
        return false;
    }

    private static (SurveyCompletion?, string?, string?) Fail(string field, string error) => (null, field, error);
}
