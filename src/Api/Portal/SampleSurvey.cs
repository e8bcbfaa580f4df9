using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Portal;

/// <summary>The survey completion of the CIOPulse article's example, which the settings screen previews as it would be POSTed.</summary>
public static class SampleSurvey
{
    public static readonly DateTime ResponseTime = new(2021, 7, 29, 7, 50, 52, DateTimeKind.Utc);

    public static SurveyCompletion Completion() => new()
    {
        ListeningPost = ListeningPost.Transactional,
        ResponseId = "3690",
        ResponseDatetimeUtc = ResponseTime,
        TicketId = "INC123456",
        SupportGroupCode = "SDESK",
        SupportGroupName = "Service Desk",
        AgentId = "adam.agent",
        SegmentCode = "NZ",
        SegmentName = "New Zealand",
        Segment2Code = "NONE",
        Segment2Name = "No Segment",
        Customer = "carole.customer",
        Overall = 9,
        SelectedFactors = [ExperienceFactor.Responsiveness],
        Comments = "You guys rock!",
        SurveyDescription = "Survey for DemoCorp",
        SurveyLanguage = "English",
    };
}
