using System.Text.Json;
using CIOPulse.Api.Json;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

public sealed class SurveyCompletionReaderTests
{
    private const string SpecSample = """
        {
          "Listening_Post": "Transactional",
          "Response_ID": "3690",
          "Response_Datetime_UTC": "2021-07-29 07:50:52",
          "Ticket_ID": "INC123456",
          "Support_Group_Code": "SDESK",
          "Support_Group_Name": "Service Desk",
          "Agent_ID": "adam.agent",
          "Segment_Code": "NZ",
          "Segment_Name": "New Zealand",
          "Segment_2_Code": "NONE",
          "Segment_2_Name": "No Segment",
          "Customer": "carole.customer",
          "Overall": 9,
          "Selected_Factors": ["Responsiveness"],
          "Comments": "You guys rock!",
          "Survey_Description": "Survey for DemoCorp",
          "Survey_Language": "English"
        }
        """;

    private static readonly DateTime _now = new(2025, 6, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime _sampleTime = Infrastructure.SpecSample.ResponseTime;

    [Fact]
    public void Spec_sample_reads_into_the_expected_completion()
    {
        var expected = Infrastructure.SpecSample.Completion();

        var (completion, field, error) = Read(SpecSample);

        Assert.Null(field);
        Assert.Null(error);
        Assert.NotNull(completion);
        Assert.Equal(expected.SelectedFactors, completion.SelectedFactors);
        Assert.Equal(expected, completion with { SelectedFactors = expected.SelectedFactors });
        Assert.Equal(DateTimeKind.Utc, completion.ResponseDatetimeUtc.Kind);
    }

    [Fact]
    public void Minimal_body_gets_the_defaults()
    {
        var completion = ReadValid("""{"Response_ID": "1", "Overall": 0}""");

        Assert.Equal(ListeningPost.Transactional, completion.ListeningPost);
        Assert.Equal(0, completion.Overall);
        Assert.Equal(_now, completion.ResponseDatetimeUtc);
        Assert.Empty(completion.SelectedFactors);
        Assert.All(
            [completion.TicketId, completion.SupportGroupCode, completion.SupportGroupName, completion.AgentId,
             completion.SegmentCode, completion.SegmentName, completion.Segment2Code, completion.Segment2Name,
             completion.Customer, completion.Comments, completion.SurveyDescription, completion.SurveyLanguage],
            text => Assert.Equal("", text));
    }

    [Fact]
    public void Null_optional_fields_read_as_not_given()
    {
        var completion = ReadValid("""
            {"Response_ID": "1", "Overall": 10, "Listening_Post": null, "Response_Datetime_UTC": null,
             "Selected_Factors": null, "Ticket_ID": null, "Comments": null}
            """);

        Assert.Equal(ListeningPost.Transactional, completion.ListeningPost);
        Assert.Equal(_now, completion.ResponseDatetimeUtc);
        Assert.Empty(completion.SelectedFactors);
        Assert.Equal("", completion.TicketId);
        Assert.Equal("", completion.Comments);
    }

    [Theory]
    [InlineData("Transactional", ListeningPost.Transactional)]
    [InlineData("Relationship", ListeningPost.Relationship)]
    [InlineData("relationship", ListeningPost.Relationship)]
    [InlineData("RELATIONSHIP", ListeningPost.Relationship)]
    [InlineData("transactional", ListeningPost.Transactional)]
    [InlineData("tRaNsAcTiOnAl", ListeningPost.Transactional)]
    public void Listening_post_is_read_case_insensitively(string text, ListeningPost expected)
    {
        var completion = ReadValid($$"""{"Listening_Post": "{{text}}", "Response_ID": "1", "Overall": 5}""");

        Assert.Equal(expected, completion.ListeningPost);
    }

    [Theory]
    [InlineData("2021-07-29 07:50:52")]
    [InlineData("2021-07-29T07:50:52")]
    [InlineData("2021-07-29T07:50:52Z")]
    [InlineData("2021-07-29T09:50:52+02:00")]
    [InlineData("2021-07-29T02:20:52-05:30")]
    public void Response_time_is_read_as_utc(string text)
    {
        var completion = ReadValid($$"""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "{{text}}"}""");

        Assert.Equal(_sampleTime, completion.ResponseDatetimeUtc);
        Assert.Equal(DateTimeKind.Utc, completion.ResponseDatetimeUtc.Kind);
    }

    [Fact]
    public void Response_time_keeps_fractional_seconds()
    {
        var completion = ReadValid("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "2021-07-29T07:50:52.250Z"}""");

        Assert.Equal(_sampleTime.AddMilliseconds(250), completion.ResponseDatetimeUtc);
    }

    [Fact]
    public void Absent_response_time_is_the_given_now()
    {
        var completion = ReadValid("""{"Response_ID": "1", "Overall": 5}""");

        Assert.Equal(_now, completion.ResponseDatetimeUtc);
    }

    [Fact]
    public void Selected_factors_are_case_insensitive_and_deduplicated()
    {
        var completion = ReadValid("""
            {"Response_ID": "1", "Overall": 5,
             "Selected_Factors": ["speed", "KNOWLEDGE", "Speed", "other", "Responsiveness", "effort", "Interpersonal", "communication", "Confirmation"]}
            """);

        Assert.Equal(
            [ExperienceFactor.Speed, ExperienceFactor.Knowledge, ExperienceFactor.Other, ExperienceFactor.Responsiveness,
             ExperienceFactor.Effort, ExperienceFactor.Interpersonal, ExperienceFactor.Communication, ExperienceFactor.Confirmation],
            completion.SelectedFactors);
    }

    [Fact]
    public void Response_id_of_128_characters_is_accepted_and_129_rejected()
    {
        var ok = ReadValid($$"""{"Response_ID": "{{new string('r', 128)}}", "Overall": 5}""");
        var (completion, field, error) = Read($$"""{"Response_ID": "{{new string('r', 129)}}", "Overall": 5}""");

        Assert.Equal(128, ok.ResponseId.Length);
        Assert.Null(completion);
        Assert.Equal("Response_ID", field);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Response_id_with_a_NUL_character_is_rejected_naming_the_field_and_other_control_characters_are_kept()
    {
        var (completion, field, error) = Read("""{"Response_ID": "a\u0000b", "Overall": 5}""");
        var tabbed = ReadValid("""{"Response_ID": "a\tb", "Overall": 5}""");

        Assert.Null(completion);
        Assert.Equal("Response_ID", field);
        Assert.Contains("U+0000", error, StringComparison.Ordinal);
        Assert.Equal("a\tb", tabbed.ResponseId);
    }

    [Theory]
    // Listening_Post
    [InlineData("""{"Listening_Post": "Survey", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "0", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "1", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "2", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "-1", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "+1", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": " 1", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": "Transactional,Relationship", "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": 1, "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    [InlineData("""{"Listening_Post": true, "Response_ID": "1", "Overall": 5}""", "Listening_Post")]
    // Response_ID
    [InlineData("""{"Overall": 5}""", "Response_ID")]
    [InlineData("""{"Response_ID": null, "Overall": 5}""", "Response_ID")]
    [InlineData("""{"Response_ID": "", "Overall": 5}""", "Response_ID")]
    [InlineData("""{"Response_ID": "   ", "Overall": 5}""", "Response_ID")]
    [InlineData("""{"Response_ID": 3690, "Overall": 5}""", "Response_ID")]
    [InlineData("""{"Response_ID": ["3690"], "Overall": 5}""", "Response_ID")]
    // Overall
    [InlineData("""{"Response_ID": "1"}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": null}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": -1}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": 11}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": 9.5}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": 1e10}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": "9"}""", "Overall")]
    [InlineData("""{"Response_ID": "1", "Overall": true}""", "Overall")]
    // Response_Datetime_UTC
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": ""}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "yesterday"}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "2021-07-29"}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "2021-07-29 07:50"}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "2021-13-29 07:50:52"}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "2021-07-29 25:50:52"}""", "Response_Datetime_UTC")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": 1627545052}""", "Response_Datetime_UTC")]
    // Selected_Factors
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": "Speed"}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": {"Speed": true}}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["Speed", 3]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": [null]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["Fast"]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": [""]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["3"]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["-1"]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["+3"]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": [" 3"]}""", "Selected_Factors")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["Speed,Knowledge"]}""", "Selected_Factors")]
    // Optional text fields
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Ticket_ID": 123456}""", "Ticket_ID")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Agent_ID": false}""", "Agent_ID")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Customer": {"name": "carole"}}""", "Customer")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Comments": ["great"]}""", "Comments")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Segment_2_Name": 2}""", "Segment_2_Name")]
    [InlineData("""{"Response_ID": "1", "Overall": 5, "Survey_Language": 7}""", "Survey_Language")]
    public void Bad_input_is_rejected_naming_the_field(string body, string expectedField)
    {
        var (completion, field, error) = Read(body);

        Assert.Null(completion);
        Assert.Equal(expectedField, field);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("03/04/2021 07:50:52")]
    [InlineData("Thursday, 29 July 2021")]
    [InlineData("   2021-07-29 07:50   ")]
    public void Response_time_in_a_form_other_than_ISO_8601_is_rejected(string text)
    {
        // Day/month order, a missing time of day or missing seconds must not be guessed at.
        var (completion, field, error) = Read($$"""{"Response_ID": "1", "Overall": 5, "Response_Datetime_UTC": "{{text}}"}""");

        Assert.True(completion is null, $"'{text}' was read as {completion?.ResponseDatetimeUtc:O}.");
        Assert.Equal("Response_Datetime_UTC", field);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Unknown_factor_error_names_the_bad_value()
    {
        var (_, field, error) = Read("""{"Response_ID": "1", "Overall": 5, "Selected_Factors": ["Speed", "Friendliness"]}""");

        Assert.Equal("Selected_Factors", field);
        Assert.Contains("Friendliness", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_listening_post_error_names_the_bad_value()
    {
        var (_, field, error) = Read("""{"Listening_Post": "Pulse", "Response_ID": "1", "Overall": 5}""");

        Assert.Equal("Listening_Post", field);
        Assert.Contains("Pulse", error, StringComparison.Ordinal);
    }

    private static (SurveyCompletion? Completion, string? Field, string? Error) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SurveyCompletionReader.Read(document.RootElement, _now);
    }

    private static SurveyCompletion ReadValid(string json)
    {
        var (completion, field, error) = Read(json);
        Assert.True(completion is not null, $"Rejected: {field} {error}");
        return completion;
    }
}
