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

    /// <summary>The longest the watchdog waits (see <see cref="WatchdogPeriod"/>).</summary>
    public static readonly TimeSpan MaxWatchdogPeriod = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The reminder's period, on top of its exact due time. A webhook re-registers its reminder at
    /// every attempt, so the period only matters when a tick is lost — above all while a killed
    /// silo is not yet declared dead, when ticks cannot reach its grains; the next tick then comes one
    /// period later. At most a minute, Orleans' default minimum reminder period (shorter periods are
    /// what Orleans warns about at start-up), and never longer than the shortest delay (tests scale
    /// delays down to seconds, and their reminders with them).
    /// </summary>
    public TimeSpan WatchdogPeriod =>
        delays.Count == 0 ? MaxWatchdogPeriod : TimeSpan.FromTicks(Math.Min(MaxWatchdogPeriod.Ticks, delays.Min().Ticks));
}
