using CIOPulse.Grains.Log;

namespace CIOPulse.Grains.Delivery;

/// <summary>
/// The core's answer to an event: whether the state is written, what happens to the reminder and
/// to the log row, whether an attempt starts, and the facts for metrics and logs. The grain carries
/// a plan out in one fixed order (docs/delivery.md says why that order loses nothing).
/// </summary>
/// <param name="Tally">The attempt the log row change counts in the hourly figures.</param>
public sealed record DeliveryPlan(
    bool WriteState,
    ReminderChange Reminder,
    LogRowChange LogRow,
    bool StartAttempt,
    DeliveryFacts Facts,
    AttemptTally? Tally = null)
{
    /// <summary>Nothing to store and nothing to start.</summary>
    public static readonly DeliveryPlan Nothing = new(false, ReminderChange.Keep, LogRowChange.None, false, DeliveryFacts.None);
}
