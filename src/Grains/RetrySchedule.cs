namespace CIOPulse.Grains;

/// <summary>
/// The fixed backoff: one automatic attempt at once, then one after each configured delay
/// (5 attempts with the default four delays). Resends are outside this count.
/// </summary>
public sealed class RetrySchedule(IReadOnlyList<TimeSpan> delays)
{
    public int MaxAutomaticAttempts => delays.Count + 1;

    /// <summary>
    /// The wait after automatic attempt <paramref name="automaticAttemptsMade"/> failed, or null
    /// when that was the last one.
    /// </summary>
    public TimeSpan? DelayAfterFailedAttempt(int automaticAttemptsMade) =>
        automaticAttemptsMade >= 1 && automaticAttemptsMade <= delays.Count
            ? delays[automaticAttemptsMade - 1]
            : null;

    /// <summary>
    /// How often the reminder ticks as a watchdog on top of its exact due time: never slower than a
    /// minute, never faster than the shortest delay (tests scale delays down to seconds).
    /// </summary>
    public TimeSpan WatchdogPeriod =>
        delays.Count == 0 ? TimeSpan.FromMinutes(1) : TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, delays.Min().Ticks));
}
