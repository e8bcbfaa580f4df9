namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// A validated survey completion as posted by the survey app. Optional text fields are empty
/// strings, never null; <see cref="ResponseDatetimeUtc"/> is UTC.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.SurveyCompletion")]
public sealed record SurveyCompletion
{
    [Id(0)] public ListeningPost ListeningPost { get; init; } = ListeningPost.Transactional;
    [Id(1)] public required string ResponseId { get; init; }
    [Id(2)] public required DateTime ResponseDatetimeUtc { get; init; }
    [Id(3)] public string TicketId { get; init; } = "";
    [Id(4)] public string SupportGroupCode { get; init; } = "";
    [Id(5)] public string SupportGroupName { get; init; } = "";
    [Id(6)] public string AgentId { get; init; } = "";
    [Id(7)] public string SegmentCode { get; init; } = "";
    [Id(8)] public string SegmentName { get; init; } = "";
    [Id(9)] public string Segment2Code { get; init; } = "";
    [Id(10)] public string Segment2Name { get; init; } = "";
    [Id(11)] public string Customer { get; init; } = "";
    [Id(12)] public required int Overall { get; init; }
    [Id(13)] public IReadOnlyList<ExperienceFactor> SelectedFactors { get; init; } = [];
    [Id(14)] public string Comments { get; init; } = "";
    [Id(15)] public string SurveyDescription { get; init; } = "";
    [Id(16)] public string SurveyLanguage { get; init; } = "";
}
