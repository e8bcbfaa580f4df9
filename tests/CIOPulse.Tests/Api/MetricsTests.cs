using System.Globalization;
using System.Text.RegularExpressions;
using CIOPulse.Api;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Operators scrape /metrics (Prometheus text) for each silo's delivery counters. (The test process
/// hosts several nodes and the meter is per process, so the counters here add up all of them.)
/// </summary>
public abstract partial class MetricsTests(SiloAppFixture fixture)
{
    [Fact]
    public void The_api_exports_the_meter_the_grains_record_on()
    {
        Assert.Equal(WebhookMetrics.MeterName, WebhookApi.MetricsMeterName);
    }

    [Fact]
    public async Task A_delivery_shows_in_the_accepted_attempt_and_finished_counters()
    {
        using var scraper = fixture.App.CreateClient(apiKey: null);
        var before = await ScrapeAsync(scraper);
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline);

        // Counters are exported on a collection cycle; poll until they show the delivery.
        var deadline = DateTime.UtcNow + Deadline;
        Dictionary<string, double> after;
        do
        {
            await Task.Delay(100);
            after = await ScrapeAsync(scraper);
        }
        while (Value(after, "ciopulse_webhooks_finished_total", "status=\"Succeeded\"") <= Value(before, "ciopulse_webhooks_finished_total", "status=\"Succeeded\"") && DateTime.UtcNow < deadline);

        Assert.True(Value(after, "ciopulse_webhooks_accepted_total") >= Value(before, "ciopulse_webhooks_accepted_total") + 1);
        Assert.True(Value(after, "ciopulse_webhooks_attempts_total", "outcome=\"success\"") >= Value(before, "ciopulse_webhooks_attempts_total", "outcome=\"success\"") + 1);
        Assert.True(Value(after, "ciopulse_webhooks_finished_total", "status=\"Succeeded\"") >= Value(before, "ciopulse_webhooks_finished_total", "status=\"Succeeded\"") + 1);
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        var text = await client.GetStringAsync(new Uri("metrics", UriKind.Relative));
        return Sample().Matches(text).ToDictionary(m => m.Groups["series"].Value, m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Sum of the samples of <paramref name="name"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Value(Dictionary<string, double> samples, string name, string label = "") =>
        samples.Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && s.Key.Contains(label, StringComparison.Ordinal)).Sum(s => s.Value);

    [GeneratedRegex(@"^(?<series>ciopulse_[a-z_]+(\{[^}]*\})?) (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}

[Collection(SiloAppCollection.Memory)]
public sealed class MetricsTestsInMemory(MemorySiloAppFixture fixture) : MetricsTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class MetricsTestsOnPostgres(PostgresSiloAppFixture fixture) : MetricsTests(fixture);
