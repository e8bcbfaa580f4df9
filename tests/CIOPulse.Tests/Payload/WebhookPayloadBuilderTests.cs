using System.Text;
using System.Text.Json;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Payload;

public sealed class WebhookPayloadBuilderTests
{
    private const string NotesBase = "https://app.cio-pulse.com/service-recovery-notes";
    private const string WebhookId = "0123456789abc";

    private static readonly string[] _specMemberOrder =
    [
        "Webhook_ID", "Response_ID", "Response_Datetime_UTC", "Ticket_ID", "Support_Group_Code",
        "Support_Group_Name", "Agent_ID", "Segment_Code", "Segment_Name", "Segment_2_Code",
        "Segment_2_Name", "Customer", "Responsiveness", "Interpersonal", "Knowledge", "Communication",
        "Speed", "Confirmation", "Effort", "Other", "Overall", "Comments", "SR_Notes_URL",
        "Survey_Description", "Survey_Language",
    ];

    private static readonly string[] _factorMembers =
    [
        "Responsiveness", "Interpersonal", "Knowledge", "Communication", "Speed", "Confirmation",
        "Effort", "Other",
    ];

    private static readonly string[] _textMembers =
    [
        "Ticket_ID", "Support_Group_Code", "Support_Group_Name", "Agent_ID", "Segment_Code",
        "Segment_Name", "Segment_2_Code", "Segment_2_Name", "Customer", "Comments",
        "Survey_Description", "Survey_Language",
    ];

    /// <summary>The completion from the SPEC §4 example.</summary>
    private static SurveyCompletion Sample() => SpecSample.Completion();

    private static string Build(SurveyCompletion completion) =>
        WebhookPayloadBuilder.Build(WebhookId, completion, NotesBase);

    private static Dictionary<string, string> ParseMembers(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    private static string CommentsOf(string payload) => ParseMembers(payload)["Comments"];

    [Fact]
    public void Sample_completion_produces_the_exact_compact_body()
    {
        var payload = Build(Sample());

        Assert.Equal(
            """{"Webhook_ID":"0123456789abc","Response_ID":"3690","Response_Datetime_UTC":"2021-07-29 07:50:52","Ticket_ID":"INC123456","Support_Group_Code":"SDESK","Support_Group_Name":"Service Desk","Agent_ID":"adam.agent","Segment_Code":"NZ","Segment_Name":"New Zealand","Segment_2_Code":"NONE","Segment_2_Name":"No Segment","Customer":"carole.customer","Responsiveness":"1","Interpersonal":"0","Knowledge":"0","Communication":"0","Speed":"0","Confirmation":"0","Effort":"0","Other":"0","Overall":"9","Comments":"You guys rock!","SR_Notes_URL":"https://app.cio-pulse.com/service-recovery-notes?id=3690","Survey_Description":"Survey for DemoCorp","Survey_Language":"English"}""",
            payload);
    }

    [Fact]
    public void Payload_has_exactly_the_25_spec_members_in_spec_order()
    {
        using var document = JsonDocument.Parse(Build(Sample()));

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(25, names.Length);
        Assert.Equal(_specMemberOrder, names);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(9)]
    [InlineData(10)]
    public void Every_member_value_is_a_json_string(int overall)
    {
        var completion = Sample() with
        {
            Overall = overall,
            SelectedFactors = [ExperienceFactor.Speed, ExperienceFactor.Other],
        };

        using var document = JsonDocument.Parse(Build(completion));

        Assert.All(
            document.RootElement.EnumerateObject(),
            member => Assert.Equal(JsonValueKind.String, member.Value.ValueKind));
    }

    [Fact]
    public void Webhook_id_is_sent_first_as_given()
    {
        var payload = WebhookPayloadBuilder.Build("fedcba9876543", Sample(), NotesBase);

        Assert.StartsWith("""{"Webhook_ID":"fedcba9876543",""", payload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    public void Selected_factors_of_a_promoter_are_sent_as_1(int overall)
    {
        var completion = Sample() with
        {
            Overall = overall,
            SelectedFactors = [ExperienceFactor.Responsiveness, ExperienceFactor.Speed, ExperienceFactor.Other],
        };

        var members = ParseMembers(Build(completion));

        Assert.Equal("1", members["Responsiveness"]);
        Assert.Equal("1", members["Speed"]);
        Assert.Equal("1", members["Other"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(8)]
    public void Selected_factors_of_a_passive_or_detractor_are_sent_as_minus_1(int overall)
    {
        var completion = Sample() with
        {
            Overall = overall,
            SelectedFactors = [ExperienceFactor.Responsiveness, ExperienceFactor.Speed, ExperienceFactor.Other],
        };

        var members = ParseMembers(Build(completion));

        Assert.Equal("-1", members["Responsiveness"]);
        Assert.Equal("-1", members["Speed"]);
        Assert.Equal("-1", members["Other"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(10)]
    public void Unselected_factors_are_sent_as_0(int overall)
    {
        var completion = Sample() with
        {
            Overall = overall,
            SelectedFactors = [ExperienceFactor.Responsiveness, ExperienceFactor.Speed, ExperienceFactor.Other],
        };

        var members = ParseMembers(Build(completion));

        foreach (var name in new[] { "Interpersonal", "Knowledge", "Communication", "Confirmation", "Effort" })
        {
            Assert.Equal("0", members[name]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void No_selected_factors_sends_every_factor_as_0(int overall)
    {
        var members = ParseMembers(Build(Sample() with { Overall = overall, SelectedFactors = [] }));

        Assert.All(_factorMembers, name => Assert.Equal("0", members[name]));
    }

    [Theory]
    [InlineData(ExperienceFactor.Responsiveness, "Responsiveness")]
    [InlineData(ExperienceFactor.Interpersonal, "Interpersonal")]
    [InlineData(ExperienceFactor.Knowledge, "Knowledge")]
    [InlineData(ExperienceFactor.Communication, "Communication")]
    [InlineData(ExperienceFactor.Speed, "Speed")]
    [InlineData(ExperienceFactor.Confirmation, "Confirmation")]
    [InlineData(ExperienceFactor.Effort, "Effort")]
    [InlineData(ExperienceFactor.Other, "Other")]
    public void Each_factor_is_sent_in_its_own_member(ExperienceFactor factor, string member)
    {
        var members = ParseMembers(Build(Sample() with { Overall = 3, SelectedFactors = [factor] }));

        Assert.All(
            _factorMembers,
            name => Assert.Equal(name == member ? "-1" : "0", members[name]));
    }

    [Fact]
    public void Duplicate_selected_factors_are_treated_as_one()
    {
        var completion = Sample() with
        {
            Overall = 10,
            SelectedFactors = [ExperienceFactor.Speed, ExperienceFactor.Speed, ExperienceFactor.Effort, ExperienceFactor.Speed],
        };

        var payload = Build(completion);
        var members = ParseMembers(payload);

        Assert.Equal(25, members.Count);
        Assert.Equal("1", members["Speed"]);
        Assert.Equal("1", members["Effort"]);
        Assert.Equal(
            Build(completion with { SelectedFactors = [ExperienceFactor.Effort, ExperienceFactor.Speed] }),
            payload);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(8, "8")]
    [InlineData(9, "9")]
    [InlineData(10, "10")]
    public void Overall_is_sent_as_a_string(int overall, string expected)
    {
        var payload = Build(Sample() with { Overall = overall });

        Assert.Contains($"\"Overall\":\"{expected}\"", payload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void Overall_outside_0_to_10_is_rejected(int overall)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(Sample() with { Overall = overall }));
    }

    [Theory]
    [InlineData(2021, 7, 29, 7, 50, 52, 0, "2021-07-29 07:50:52")]
    [InlineData(2024, 1, 5, 3, 4, 9, 0, "2024-01-05 03:04:09")]
    [InlineData(1999, 12, 31, 23, 59, 59, 999, "1999-12-31 23:59:59")]
    [InlineData(2024, 2, 29, 0, 0, 0, 500, "2024-02-29 00:00:00")]
    public void Response_datetime_is_sent_as_yyyy_MM_dd_HH_mm_ss(
        int year, int month, int day, int hour, int minute, int second, int millisecond, string expected)
    {
        var when = new DateTime(year, month, day, hour, minute, second, millisecond, DateTimeKind.Utc);

        var payload = Build(Sample() with { ResponseDatetimeUtc = when });

        Assert.Contains($"\"Response_Datetime_UTC\":\"{expected}\"", payload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(NotesBase, "3690", NotesBase + "?id=3690")]
    [InlineData(NotesBase, "a b&c/ü", NotesBase + "?id=a%20b%26c%2F%C3%BC")]
    [InlineData(NotesBase, "x?y=1#z+", NotesBase + "?id=x%3Fy%3D1%23z%2B")]
    [InlineData("https://notes.example/sr?account=7", "3690", "https://notes.example/sr?account=7&id=3690")]
    [InlineData("https://notes.example/sr?", "3690", "https://notes.example/sr?id=3690")]
    public void Service_recovery_notes_url_carries_the_url_encoded_response_id(
        string baseUrl, string responseId, string expected)
    {
        var payload = WebhookPayloadBuilder.Build(WebhookId, Sample() with { ResponseId = responseId }, baseUrl);

        Assert.Contains($"\"SR_Notes_URL\":\"{expected}\"", payload, StringComparison.Ordinal);
        Assert.Equal(expected, ParseMembers(payload)["SR_Notes_URL"]);
    }

    /// <summary>Comment text, and how its value must appear between the quotes in the raw body.</summary>
    public static TheoryData<string, string> EscapingCases => new()
    {
        { "say \"hi\"", @"say \""hi\""" },
        { @"C:\temp\new", @"C:\\temp\\new" },
        { "a\tb", @"a\tb" },
        { "line1\r\nline2", @"line1\nline2" },
        { "line1\rline2", @"line1\nline2" },
        { "line1\nline2", @"line1\nline2" },
        { "a\r\n\r\nb", @"a\n\nb" },
        { "a\n\rb", @"a\n\nb" },
        { "a\r\rb", @"a\n\nb" },
        { "\r\nends with break\r", @"\nends with break\n" },
        { "a\u0001b", @"a\u0001b" },
        { "\u0000\u0008\u000c\u001f", @"\u0000\u0008\u000c\u001f" },
        { "Kia ora 👍", "Kia ora 👍" },
        { "Tēnā koe, ā ē ī ō ū Ā Ē Ī Ō Ū", "Tēnā koe, ā ē ī ō ū Ā Ē Ī Ō Ū" },
        { "café naïve", "café naïve" },
        { "<b>Tom & Jerry's</b> +1", "<b>Tom & Jerry's</b> +1" },
        { "/slash\u007fdel", "/slash\u007fdel" },
        { "ok 😀🇳🇿 done", "ok 😀🇳🇿 done" },
    };

    [Theory]
    [MemberData(nameof(EscapingCases))]
    public void Comments_are_escaped_exactly_as_the_spec_requires(string comment, string expectedRaw)
    {
        var payload = Build(Sample() with { Comments = comment });

        Assert.Contains($"\"Comments\":\"{expectedRaw}\",\"SR_Notes_URL\"", payload, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EscapingCases))]
    public void Comments_round_trip_with_line_breaks_normalised_to_lf(string comment, string expectedRaw)
    {
        var expected = comment.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

        Assert.Equal(expected, CommentsOf(Build(Sample() with { Comments = comment })));
        Assert.Equal(expected, JsonSerializer.Deserialize<string>($"\"{expectedRaw}\""));
    }

    [Fact]
    public void Quotes_and_non_ascii_are_never_sent_as_unicode_escapes()
    {
        var payload = Build(Sample() with
        {
            Customer = "Āwhina O'Neill <aw@example.nz>",
            Comments = "\"Ka pai\" — café & ā + 👍",
        });

        foreach (var escape in new[] { @"\u0022", @"\u00e9", @"\u00E9", @"\u0101", @"\u003c", @"\u003C", @"\u003e", @"\u003E", @"\u0026", @"\u0027", @"\u002b", @"\u002B", @"\u2014", @"\ud83d", @"\uD83D" })
        {
            Assert.DoesNotContain(escape, payload, StringComparison.Ordinal);
        }

        Assert.Contains("""\"Ka pai\" — café & ā + 👍""", payload, StringComparison.Ordinal);
        Assert.Contains("Āwhina O'Neill <aw@example.nz>", payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Line_breaks_quotes_and_backslashes_are_escaped_in_every_text_field()
    {
        const string Text = "a\r\nb\rc\nd\"e\\f";
        const string Raw = """a\nb\nc\nd\"e\\f""";
        var completion = new SurveyCompletion
        {
            ResponseId = "r1",
            ResponseDatetimeUtc = new DateTime(2021, 7, 29, 7, 50, 52, DateTimeKind.Utc),
            Overall = 5,
            TicketId = Text,
            SupportGroupCode = Text,
            SupportGroupName = Text,
            AgentId = Text,
            SegmentCode = Text,
            SegmentName = Text,
            Segment2Code = Text,
            Segment2Name = Text,
            Customer = Text,
            Comments = Text,
            SurveyDescription = Text,
            SurveyLanguage = Text,
        };

        var payload = WebhookPayloadBuilder.Build("w\r\n\"1", completion, NotesBase);

        Assert.All(_textMembers, name => Assert.Contains($"\"{name}\":\"{Raw}\"", payload, StringComparison.Ordinal));
        Assert.Contains("""{"Webhook_ID":"w\n\"1",""", payload, StringComparison.Ordinal);
        var members = ParseMembers(payload);
        Assert.All(_textMembers, name => Assert.Equal("a\nb\nc\nd\"e\\f", members[name]));
    }

    [Fact]
    public void Response_id_with_special_characters_is_escaped_and_round_trips()
    {
        var payload = Build(Sample() with { ResponseId = "id \"7\"\\ā\r\n" });

        Assert.Contains(@"""Response_ID"":""id \""7\""\\ā\n"",", payload, StringComparison.Ordinal);
        Assert.Equal("id \"7\"\\ā\n", ParseMembers(payload)["Response_ID"]);
    }

    /// <summary>
    /// Built at run time: attribute arguments are stored as UTF-8, which would already have
    /// mangled a lone surrogate before the test saw it.
    /// </summary>
    public static TheoryData<string, string> SurrogateCases => new()
    {
        { "a\uD800b", "a\uFFFDb" },
        { "\uDC00", "\uFFFD" },
        { "end\uD83D", "end\uFFFD" },
        { "\uDC00\uD83D", "\uFFFD\uFFFD" },
        { "\uD83D\uD83D\uDC4D", "\uFFFD\uD83D\uDC4D" },
        { "ok \uD83D\uDC4D", "ok \uD83D\uDC4D" },
    };

    [Theory]
    [MemberData(nameof(SurrogateCases), DisableDiscoveryEnumeration = true)]
    public void Lone_surrogates_are_replaced_so_the_body_is_valid_utf8(string comment, string expected)
    {
        Assert.Equal(comment.Length, expected.Length);
        var payload = Build(Sample() with { Comments = comment });

        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var bytes = strictUtf8.GetBytes(payload);
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(expected, document.RootElement.GetProperty("Comments").GetString());
        Assert.Contains($"\"Comments\":\"{expected}\"", payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_optional_fields_are_sent_as_empty_strings()
    {
        var completion = new SurveyCompletion
        {
            ResponseId = "42",
            ResponseDatetimeUtc = new DateTime(2022, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            Overall = 7,
        };

        var payload = Build(completion);
        var members = ParseMembers(payload);

        Assert.Equal(_specMemberOrder, members.Keys);
        Assert.All(_textMembers, name => Assert.Equal("", members[name]));
        Assert.All(_factorMembers, name => Assert.Equal("0", members[name]));
        Assert.Equal("42", members["Response_ID"]);
        Assert.Equal("7", members["Overall"]);
        Assert.Equal(NotesBase + "?id=42", members["SR_Notes_URL"]);
        Assert.Contains("\"Ticket_ID\":\"\",", payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Relationship_completions_produce_the_same_shape_as_transactional()
    {
        var relationship = Sample() with { ListeningPost = ListeningPost.Relationship, TicketId = "" };
        var transactional = relationship with { ListeningPost = ListeningPost.Transactional };

        var payload = Build(relationship);

        Assert.Equal(_specMemberOrder, ParseMembers(payload).Keys);
        Assert.Equal(Build(transactional), payload);
    }

    [Fact]
    public void ServiceNow_wrapper_is_the_exact_spec_envelope()
    {
        Assert.Equal(
            """{"sysparm_quantity":"1","variables":{"a":"b"}}""",
            WebhookPayloadBuilder.WrapForServiceNow("""{"a":"b"}"""));
    }

    [Fact]
    public void ServiceNow_wrapper_parses_with_the_payload_as_its_variables_object()
    {
        var payload = Build(Sample() with { Comments = "Kia ora \"e hoa\"\r\n👍" });

        var wrapped = WebhookPayloadBuilder.WrapForServiceNow(payload);

        Assert.Equal("""{"sysparm_quantity":"1","variables":""" + payload + "}", wrapped);
        using var document = JsonDocument.Parse(wrapped);
        Assert.Equal(["sysparm_quantity", "variables"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("1", document.RootElement.GetProperty("sysparm_quantity").GetString());
        var variables = document.RootElement.GetProperty("variables");
        Assert.Equal(JsonValueKind.Object, variables.ValueKind);
        Assert.Equal(_specMemberOrder, variables.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Kia ora \"e hoa\"\n👍", variables.GetProperty("Comments").GetString());
    }
}
