using System.Globalization;
using CIOPulse.Grains;

namespace CIOPulse.Tests.Unit;

public sealed class RetryScheduleTests
{
    private static readonly RetrySchedule _default = new(WebhookOptions.DefaultRetryDelays);

    [Fact]
    public void Default_schedule_makes_5_automatic_attempts()
    {
        Assert.Equal(5, _default.MaxAutomaticAttempts);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    public void Delays_after_attempts_1_to_4_are_5_10_20_40_minutes(int attemptsMade, int expectedMinutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), _default.DelayAfterFailedAttempt(attemptsMade));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void No_delay_after_the_fifth_attempt_or_for_a_count_outside_1_to_4(int attemptsMade)
    {
        Assert.Null(_default.DelayAfterFailedAttempt(attemptsMade));
    }

    [Fact]
    public void Custom_delays_set_the_attempt_count_and_the_waits_in_order()
    {
        var schedule = new RetrySchedule([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)]);

        Assert.Equal(3, schedule.MaxAutomaticAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.DelayAfterFailedAttempt(1));
        Assert.Equal(TimeSpan.FromSeconds(4), schedule.DelayAfterFailedAttempt(2));
        Assert.Null(schedule.DelayAfterFailedAttempt(3));
    }

    [Fact]
    public void No_delays_means_one_automatic_attempt_and_no_retry()
    {
        var schedule = new RetrySchedule([]);

        Assert.Equal(1, schedule.MaxAutomaticAttempts);
        Assert.Null(schedule.DelayAfterFailedAttempt(1));
    }

    [Theory]
    [InlineData("00:05:00,00:10:00,00:20:00,00:40:00", "00:01:00")]
    [InlineData("00:00:02,00:00:04", "00:00:02")]
    [InlineData("00:10:00,00:00:08,00:05:00", "00:00:08")]
    [InlineData("00:01:00", "00:01:00")]
    [InlineData("00:00:30,00:05:00", "00:00:30")]
    [InlineData("00:00:00.500,01:00:00", "00:00:00.500")]
    [InlineData("", "00:01:00")]
    public void Watchdog_period_is_the_shorter_of_a_minute_and_the_shortest_delay(string delays, string expected)
    {
        var parsed = delays.Length == 0
            ? []
            : delays.Split(',').Select(d => TimeSpan.Parse(d, CultureInfo.InvariantCulture)).ToList();

        var schedule = new RetrySchedule(parsed);

        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), schedule.WatchdogPeriod);
    }
}
