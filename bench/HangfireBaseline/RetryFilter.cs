using CIOPulse.Grains;
using Hangfire;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// Hangfire's own retry filter set to the SPEC's schedule: one attempt at once, then one after
/// each of <c>Webhooks:RetryDelays</c> (5, 10, 20, 40 minutes by default), 5 attempts in all.
/// </summary>
public static class RetryFilter
{
    public static AutomaticRetryAttribute Create(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var delays = options.EffectiveRetryDelays;
        return new AutomaticRetryAttribute
        {
            Attempts = delays.Count,
            // Hangfire counts delays in whole seconds; a sub-second (test) delay rounds up to 1 s.
            DelaysInSeconds = [.. delays.Select(delay => (int)Math.Ceiling(delay.TotalSeconds))],
            OnAttemptsExceeded = AttemptsExceededAction.Fail,
            // The job logs its failed attempts itself, without a stack trace for each.
            LogEvents = false,
        };
    }
}
