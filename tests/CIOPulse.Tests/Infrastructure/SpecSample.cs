using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>The survey completion of the SPEC §4 example, as the service holds it once validated.</summary>
public static class SpecSample
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
