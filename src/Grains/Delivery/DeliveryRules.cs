namespace CIOPulse.Grains.Delivery;

/// <summary>
/// The timing rules of a delivery: the retry schedule, how long an attempt may take, and the
/// slack around due times. Built from <see cref="WebhookOptions"/>.
/// </summary>
public sealed class DeliveryRules(RetrySchedule schedule, TimeSpan attemptTimeout)
{
    /// <summary>Extra wait past the attempt timeout before the reminder assumes an attempt in flight was lost.</summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(5);

    public DeliveryRules(WebhookOptions options)
        : this(new RetrySchedule(options.EffectiveRetryDelays), options.AttemptTimeout)
    {
    }

    public RetrySchedule Schedule { get; } = schedule;

    public TimeSpan AttemptTimeout { get; } = attemptTimeout;

    /// <summary>How early a reminder tick may start an automatic attempt (reminders fire a little early or late).</summary>
    public TimeSpan DueTolerance => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, Schedule.WatchdogPeriod.Ticks / 2));

    /// <summary>How long after work became due the reminder checks that it was done.</summary>
    public TimeSpan InFlightCheck => AttemptTimeout + InFlightGrace;
}
