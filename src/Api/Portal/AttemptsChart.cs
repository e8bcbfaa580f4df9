using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Html;

namespace CIOPulse.Api.Portal;

/// <summary>
/// The Webhook Log's chart: attempts per hour over the last 24 hours, succeeded and failed stacked,
/// drawn as inline SVG on the server (no script, no CSP exception). Failed parts are hatched as
/// well as coloured, and each bar has its numbers as a tooltip and in the summary text.
/// </summary>
public static class AttemptsChart
{
    public const int Hours = 24;

    // Markup characters are encoded; other text (the en dash of the hour ranges) stays readable.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private const int Width = 1100;
    private const int Height = 170;
    private const int Left = 44;
    private const int Top = 10;
    private const int PlotHeight = 120;
    private const int Slot = (Width - Left - 8) / Hours;
    private const int BarWidth = Slot - 6;

    /// <summary>The first hour the chart shows, for <paramref name="nowUtc"/>.</summary>
    public static DateTime FirstHour(DateTime nowUtc) => HourOf(nowUtc).AddHours(-(Hours - 1));

    /// <summary>The counts of the chart's 24 hours, oldest first, with the hours that had no attempts as zeros.</summary>
    public static IReadOnlyList<HourlyAttempts> Fill(IReadOnlyList<HourlyAttempts> counted, DateTime nowUtc)
    {
        var byHour = counted.ToDictionary(h => h.HourUtc);
        var first = FirstHour(nowUtc);
        return [.. Enumerable.Range(0, Hours).Select(i => first.AddHours(i)).Select(hour => byHour.GetValueOrDefault(hour) ?? new HourlyAttempts(hour, 0, 0))];
    }

    /// <summary>One sentence that says what the chart shows.</summary>
    public static string Summary(IReadOnlyList<HourlyAttempts> hours)
    {
        var succeeded = hours.Sum(h => h.Succeeded);
        var failed = hours.Sum(h => h.Failed);
        return string.Create(CultureInfo.InvariantCulture,
            $"Last 24 hours: {succeeded + failed:N0} attempts, {succeeded:N0} succeeded, {failed:N0} failed.");
    }

    public static IHtmlContent Render(IReadOnlyList<HourlyAttempts> hours)
    {
        var max = Math.Max(1, hours.Max(h => h.Succeeded + h.Failed));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append("<title id=\"chart-title\">Attempts per hour, last 24 hours (GMT)</title>");
        svg.Append("<desc id=\"chart-desc\">").Append(Encode(Summary(hours))).Append("</desc>");
        svg.Append("<defs><pattern id=\"failed-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
            .Append("<rect width=\"6\" height=\"6\" class=\"bar-failed\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch\"/></pattern></defs>");

        // Axis: 0, half and the maximum.
        foreach (var value in new[] { 0, max / 2, max }.Distinct())
        {
            var y = Top + PlotHeight - (double)value / max * PlotHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - 4}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{value:N0}</text>");
        }

        for (var i = 0; i < hours.Count; i++)
        {
            var hour = hours[i];
            var x = Left + (i * Slot) + 3;
            var succeededHeight = (double)hour.Succeeded / max * PlotHeight;
            var failedHeight = (double)hour.Failed / max * PlotHeight;
            var label = string.Create(CultureInfo.InvariantCulture,
                $"{hour.HourUtc:HH:00}–{hour.HourUtc.AddHours(1):HH:00} GMT: {hour.Succeeded:N0} succeeded, {hour.Failed:N0} failed");
            svg.Append("<g><title>").Append(Encode(label)).Append("</title>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"slot\" x=\"{x - 3}\" y=\"{Top}\" width=\"{Slot}\" height=\"{PlotHeight}\"/>");
            if (hour.Succeeded > 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar-succeeded\" x=\"{x}\" y=\"{Top + PlotHeight - succeededHeight:0.##}\" width=\"{BarWidth}\" height=\"{succeededHeight:0.##}\"/>");
            }

            if (hour.Failed > 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar-failed-hatched\" fill=\"url(#failed-hatch)\" x=\"{x}\" y=\"{Top + PlotHeight - succeededHeight - failedHeight:0.##}\" width=\"{BarWidth}\" height=\"{failedHeight:0.##}\"/>");
            }

            svg.Append("</g>");
            if (i % 3 == 0)
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"axis\" x=\"{x + (BarWidth / 2)}\" y=\"{Top + PlotHeight + 16}\" text-anchor=\"middle\">{hour.HourUtc:HH:00}</text>");
            }
        }

        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static DateTime HourOf(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);

    private static string Encode(string text) => Encoder.Encode(text);
}
