using System.Text.RegularExpressions;
using CIOPulse.Api.Portal;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

public sealed class AttemptsChartTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 9, 41, 7, DateTimeKind.Utc);

    [Fact]
    public void The_chart_covers_the_24_hours_up_to_the_current_one_with_empty_hours_as_zeros()
    {
        var counted = new[]
        {
            new HourlyAttempts(new DateTime(2026, 12, 3, 9, 0, 0, DateTimeKind.Utc), 7, 2),
            new HourlyAttempts(new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc), 1, 0),
        };

        var hours = AttemptsChart.Fill(counted, Now);

        Assert.Equal(24, hours.Count);
        Assert.Equal(new DateTime(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc), AttemptsChart.FirstHour(Now));
        Assert.Equal(Enumerable.Range(0, 24).Select(i => AttemptsChart.FirstHour(Now).AddHours(i)), hours.Select(h => h.HourUtc));
        Assert.Equal(counted[1], hours[0]);
        Assert.Equal(counted[0], hours[^1]);
        Assert.All(hours.Skip(1).Take(22), h => Assert.Equal((0, 0), (h.Succeeded, h.Failed)));
        Assert.Equal("Last 24 hours: 10 attempts, 8 succeeded, 2 failed.", AttemptsChart.Summary(hours));
    }

    [Fact]
    public void Each_hour_with_attempts_is_a_bar_with_its_numbers_and_failures_are_hatched()
    {
        var hours = AttemptsChart.Fill([new HourlyAttempts(new DateTime(2026, 12, 3, 9, 0, 0, DateTimeKind.Utc), 1500, 500)], Now);

        var svg = AttemptsChart.Render(hours).ToString()!;

        Assert.StartsWith("<svg class=\"chart\"", svg, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(svg, "class=\"bar-succeeded\""));
        Assert.Single(Regex.Matches(svg, "class=\"bar-failed-hatched\" fill=\"url\\(#failed-hatch\\)\""));
        Assert.Contains("<title>09:00–10:00 GMT: 1,500 succeeded, 500 failed</title>", svg, StringComparison.Ordinal);
        Assert.Equal(24, Regex.Count(svg, "<g><title>"));

        // The tallest bar fills the plot; the succeeded part is three quarters of it.
        Assert.Contains("height=\"90\"", svg, StringComparison.Ordinal);
        Assert.Contains("height=\"30\"", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_day_draws_an_empty_chart()
    {
        var hours = AttemptsChart.Fill([], Now);

        var svg = AttemptsChart.Render(hours).ToString()!;

        Assert.DoesNotContain("bar-succeeded\" x", svg, StringComparison.Ordinal);
        Assert.Equal("Last 24 hours: 0 attempts, 0 succeeded, 0 failed.", AttemptsChart.Summary(hours));
    }
}
