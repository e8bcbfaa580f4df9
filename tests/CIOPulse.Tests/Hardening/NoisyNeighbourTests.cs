using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CIOPulse.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CIOPulse.Tests.Hardening;

/// <summary>
/// One account's receiver misbehaves under a steady load while another's answers at once: the
/// healthy account's webhooks arrive as fast as they would alone (p95 from the completion's POST to
/// the webhook's arrival under 250 ms), and the bad destination never holds more connections than
/// the per-destination limit (the default, 32).
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class NoisyNeighbourTests(ITestOutputHelper output)
{
    private const int DefaultLimit = 32;
    private const int PerSecond = 20;
    private static readonly TimeSpan LoadFor = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)];

    public static TheoryData<string> Neighbours() => ["hangs until the timeout", "answers 500 to everything"];

    [Theory]
    [MemberData(nameof(Neighbours))]
    public async Task A_healthy_account_is_not_slowed_by_a_neighbour_whose_receiver(string neighbour)
    {
        await using var cluster = new ProcessCluster(connectionString: null, RetryDelays, AttemptTimeout);
        await cluster.StartSilosAsync(1);
        await using var healthy = await TestReceiver.StartAsync();
        await using var bad = neighbour.StartsWith("hangs", StringComparison.Ordinal)
            ? FaultyReceiver.NeverAnswering()
            : FaultyReceiver.AlwaysAnswering("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\n\r\nboom");
        var good = await cluster.CreateAccountAsync(healthy.UrlFor("/good"));
        var noisy = await cluster.CreateAccountAsync(bad.Url());
        using var client = cluster.Silos[0].CreateClient();

        // Warm the path before measuring.
        var (_, warm, _) = await ProcessCluster.PostCompletionAsync(client, good, "warm");
        await healthy.WaitForRequestsAsync("/good", 1, TimeSpan.FromSeconds(30));

        var sentAt = new ConcurrentDictionary<string, DateTime>();
        var posts = new List<Task>();
        var clock = Stopwatch.StartNew();
        var count = (int)(PerSecond * LoadFor.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / PerSecond);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var n = i;
            posts.Add(Task.Run(async () =>
            {
                var (status, _, body) = await ProcessCluster.PostCompletionAsync(client, noisy, $"noisy-{n}");
                Assert.True(status == HttpStatusCode.Accepted, body);
            }));
            posts.Add(Task.Run(async () =>
            {
                var start = DateTime.UtcNow;
                var (status, id, body) = await ProcessCluster.PostCompletionAsync(client, good, $"good-{n}");
                Assert.True(status == HttpStatusCode.Accepted, body);
                sentAt[id!] = start;
            }));
        }

        await Task.WhenAll(posts);
        var received = await healthy.WaitForRequestsAsync("/good", count + 1, TimeSpan.FromSeconds(30));
        var latencies = received.Where(r => r.WebhookId is not null && sentAt.ContainsKey(r.WebhookId))
            .Select(r => (r.ReceivedUtc - sentAt[r.WebhookId!]).TotalMilliseconds)
            .Order()
            .ToList();
        Assert.Equal(count, latencies.Count);
        Assert.Equal(count, received.Where(r => r.WebhookId != warm).Select(r => r.WebhookId).Distinct().Count());
        var p50 = latencies[latencies.Count / 2];
        var p95 = latencies[(int)(latencies.Count * 0.95)];
        output.WriteLine($"neighbour {neighbour}: healthy p50 {p50:0} ms, p95 {p95:0} ms, max {latencies[^1]:0} ms over {count}; " +
            $"the bad receiver took {bad.Connections} connections, at most {bad.MaxOpen} at once");
        Assert.True(p95 < 250, $"the healthy account's p95 was {p95:0} ms (p50 {p50:0} ms)");
        Assert.True(bad.MaxOpen <= DefaultLimit, $"the bad receiver had {bad.MaxOpen} connections open at once");
        Assert.True(bad.Connections > 0);
    }
}

/// <summary>
/// Tests that measure latency run alone, after the parallel ones: on a 2-core machine the browser
/// and cluster tests running beside them would be what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatencyCollection
{
    public const string Name = "latency (run alone)";
}
