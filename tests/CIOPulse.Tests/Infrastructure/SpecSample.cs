using CIOPulse.Api.Portal;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The survey completion of the SPEC §4 example, as the service holds it once validated (the
/// portal's preview sample; the tests check what is built from it against the SPEC's own text).
/// </summary>
public static class SpecSample
{
    public static readonly DateTime ResponseTime = SampleSurvey.ResponseTime;

    public static SurveyCompletion Completion() => SampleSurvey.Completion();
}
