using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CIOPulse.Api;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Operators scrape /metrics (Prometheus text) for each silo's delivery counters. The meter is per
/// process, so the exact counts are checked on a silo process of their own (this test process hosts
/// several nodes whose deliveries would add up).
/// </summary>
public sealed partial class MetricsTests
{
    [Fact]
    public void The_api_exports_the_meter_the_grains_record_on()
    {
        Assert.Equal(WebhookMetrics.MeterName, WebhookApi.MetricsMeterName);
    }

    [Fact]
    public async Task A_silo_counts_exactly_the_webhooks_accepted_the_attempts_made_and_how_they_finished()
    {
        // A silo process of its own: the meter is per process, so nothing else adds to its counters.
        await using var receiver = await TestReceiver.StartAsync();
        await using var silo = await SiloProcess.StartAsync("metrics", new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SiloApp.SystemKey,
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:RetryDelays:0"] = "00:00:01",
        });
        using var client = silo.CreateClient();
        using var scraper = silo.CreateClient(apiKey: null);
        var accountId = NewAccountId();
        await AssertStatusAsync(await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Metrics", ["plan"] = "Corporate" }), HttpStatusCode.OK);
        var okPath = ReceiverPathFor(accountId);
        await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings(receiver.UrlFor(okPath))), HttpStatusCode.OK);

        // Two webhooks answered 200 at once; a third whose first attempt meets a 503.
        foreach (var responseId in new[] { "m-1", "m-2" })
        {
            await AssertStatusAsync(await client.PostCompletionAsync(accountId, Completion(responseId)), HttpStatusCode.Accepted);
        }

        await receiver.WaitForRequestsAsync(okPath, 2, Deadline);
        var retryPath = ReceiverPathFor(accountId, "retry");
        await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings(receiver.UrlFor(retryPath, n => n == 1 ? ReceiverResponse.Fail(503) : ReceiverResponse.Ok))), HttpStatusCode.OK);
        await AssertStatusAsync(await client.PostCompletionAsync(accountId, Completion("m-3", overall: 4)), HttpStatusCode.Accepted);
        await receiver.WaitForRequestsAsync(retryPath, 2, Deadline);

        // A fourth whose two automatic attempts find nothing listening: it ends Failed.
        await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings($"http://127.0.0.1:{FreePorts.Next()}/closed")), HttpStatusCode.OK);
        await AssertStatusAsync(await client.PostCompletionAsync(accountId, Completion("m-4")), HttpStatusCode.Accepted);

        // Counters are exported on a collection cycle; poll until the last outcome shows.
        var samples = await Eventually.ReachAsync(
            () => ScrapeAsync(scraper),
            s => Value(s, "ciopulse_webhooks_finished_total", "status=\"Succeeded\"") >= 3 && Value(s, "ciopulse_webhooks_finished_total", "status=\"Failed\"") >= 1,
            "three successes and a failed webhook are exported",
            Deadline,
            TimeSpan.FromMilliseconds(100));

        Assert.Equal(4, Value(samples, "ciopulse_webhooks_accepted_total"));
        Assert.Equal(3, Value(samples, "ciopulse_webhooks_attempts_total", "outcome=\"success\""));
        Assert.Equal(1, Value(samples, "ciopulse_webhooks_attempts_total", "outcome=\"http_error\""));
        Assert.Equal(2, Value(samples, "ciopulse_webhooks_attempts_total", "outcome=\"network_error\""));
        Assert.Equal(1, Value(samples, "ciopulse_webhooks_attempts_total", "failure=\"HttpServerError\""));
        Assert.Equal(2, Value(samples, "ciopulse_webhooks_attempts_total", "failure=\"ConnectionRefused\""));
        Assert.Equal(3, Value(samples, "ciopulse_webhooks_finished_total", "status=\"Succeeded\""));
        Assert.Equal(1, Value(samples, "ciopulse_webhooks_finished_total", "status=\"Failed\""));
        Assert.Equal(4, Value(samples, "ciopulse_webhooks_first_attempt_delay_seconds_count"));

        // Orleans' and ASP.NET Core's own meters are exported beside the product's.
        var text = await scraper.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Matches(new Regex("^orleans_", RegexOptions.Multiline), text);
        Assert.Matches(new Regex("^http_server_request_duration_seconds_count", RegexOptions.Multiline), text);
        Assert.DoesNotContain(accountId, text, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"{receiver.BaseUri.Port}\"", text, StringComparison.Ordinal); // no label names a receiver (Kestrel's own address is there)
    }

    [Fact]
    public async Task The_gauges_count_the_webhooks_in_progress_and_those_waiting_for_a_retry()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await using var silo = await SiloProcess.StartAsync("gauges", new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SiloApp.SystemKey,
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:RetryDelays:0"] = "00:10:00",
            ["Webhooks:BacklogSampleInterval"] = "00:00:01",
        });
        using var client = silo.CreateClient();
        using var scraper = silo.CreateClient(apiKey: null);
        var accountId = NewAccountId();
        await AssertStatusAsync(await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Gauges", ["plan"] = "Corporate" }), HttpStatusCode.OK);

        // Two webhooks whose first attempt fails wait ten minutes for their retry; a third succeeds.
        var failing = ReceiverPathFor(accountId, "failing");
        await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings(receiver.UrlFor(failing, _ => ReceiverResponse.Fail(503)))), HttpStatusCode.OK);
        foreach (var responseId in new[] { "g-1", "g-2" })
        {
            await AssertStatusAsync(await client.PostCompletionAsync(accountId, Completion(responseId)), HttpStatusCode.Accepted);
        }

        await receiver.WaitForRequestsAsync(failing, 2, Deadline);
        var ok = ReceiverPathFor(accountId, "ok");
        await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings(receiver.UrlFor(ok))), HttpStatusCode.OK);
        await AssertStatusAsync(await client.PostCompletionAsync(accountId, Completion("g-3")), HttpStatusCode.Accepted);
        await receiver.WaitForRequestsAsync(ok, 1, Deadline);

        var samples = await Eventually.ReachAsync(
            () => ScrapeAsync(scraper),
            s => Value(s, "ciopulse_webhooks_in_progress") == 2 && Value(s, "ciopulse_webhooks_retries_pending") == 2 && Value(s, "ciopulse_webhooks_finished_total") >= 1,
            "the gauges show the two webhooks waiting",
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, Value(samples, "ciopulse_webhooks_in_progress")); // g-3 finished: not counted
        Assert.Equal(2, Value(samples, "ciopulse_webhooks_retries_pending"));
        Assert.Equal(1, Value(samples, "ciopulse_webhooks_finished_total", "status=\"Succeeded\""));
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
