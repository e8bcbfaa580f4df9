using System.Net;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Cluster;

/// <summary>
/// Silo processes on PostgreSQL with real ADO.NET membership: a silo killed (SIGKILL) mid-schedule
/// delays its webhooks but the survivors finish every one with the exact number of attempts, and a
/// whole cluster stopped with webhooks in progress is finished by new silos on the same database.
/// </summary>
public sealed class SiloDeathTests
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Killing_a_silo_mid_schedule_loses_no_webhook_and_no_attempt()
    {
        const int count = 24;
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await using var cluster = new ProcessCluster(database.ConnectionString, Delays, AttemptTimeout);
        await cluster.StartSilosAsync(3);
        var accountId = await cluster.CreateAccountAsync(receiver.UrlFor("/always-failing", _ => ReceiverResponse.Fail()));

        // Spread the posts over all three silos' APIs so the webhooks' grains land everywhere.
        var webhooks = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var client = cluster.Silos[i % 3].CreateClient();
            var (status, webhookId, body) = await ProcessCluster.PostCompletionAsync(client, accountId, $"r-{i}");
            Assert.True(status == HttpStatusCode.Accepted, body);
            webhooks.Add(webhookId!);
        }

        await cluster.WaitForAllAsync(accountId, webhooks, e => e.GetProperty("attempts").GetInt32() >= 1, Generous);
        var victim = cluster.Silos.OrderByDescending(s => webhooks.Count(s.Attempted)).First();
        var victimsWebhooks = webhooks.Where(victim.Attempted).ToList();
        Assert.NotEmpty(victimsWebhooks);
        victim.Kill();

        var finished = await cluster.WaitForAllAsync(accountId, webhooks, e => e.GetProperty("status").GetString() == "Failed", Generous);

        Assert.All(finished.Values, e => Assert.Equal(5, e.GetProperty("attempts").GetInt32()));
        var duplicates = 0;
        foreach (var id in webhooks)
        {
            var posts = receiver.RequestsFor(id).Count;
            // At least once: an attempt in flight on the killed silo is made again, at most once.
            Assert.InRange(posts, 5, 6);
            duplicates += posts - 5;
        }

        Assert.InRange(duplicates, 0, victimsWebhooks.Count);
        Assert.True(cluster.Silos.Where(s => s != victim).Any(s => victimsWebhooks.Any(s.Attempted)), "a survivor continued the killed silo's webhooks");
    }

    [Fact]
    public async Task A_whole_cluster_restarted_on_the_same_database_finishes_every_webhook_on_schedule()
    {
        const int count = 10;
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await using var cluster = new ProcessCluster(database.ConnectionString, Delays, AttemptTimeout);
        await cluster.StartSilosAsync(2);
        var path = "/down-until-restart";
        var accountId = await cluster.CreateAccountAsync(receiver.UrlFor(path, _ => ReceiverResponse.Fail(503, "maintenance")));
        var webhooks = new List<string>();
        using (var client = cluster.Silos[0].CreateClient())
        {
            for (var i = 0; i < count; i++)
            {
                var (status, webhookId, body) = await ProcessCluster.PostCompletionAsync(client, accountId, $"r-{i}");
                Assert.True(status == HttpStatusCode.Accepted, body);
                webhooks.Add(webhookId!);
            }
        }

        await cluster.WaitForAllAsync(accountId, webhooks, e => e.GetProperty("attempts").GetInt32() >= 1, Generous);
        foreach (var silo in cluster.Silos)
        {
            await silo.StopAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Empty(cluster.Running);
        receiver.Script(path, _ => ReceiverResponse.Ok);
        await cluster.StartSilosAsync(2);

        var finished = await cluster.WaitForAllAsync(accountId, webhooks, e => e.GetProperty("status").GetString() == "Succeeded", Generous);
        foreach (var id in webhooks)
        {
            var attempts = finished[id].GetProperty("attemptHistory").EnumerateArray().ToList();
            Assert.Equal(attempts.Count, finished[id].GetProperty("attempts").GetInt32());
            Assert.Equal(attempts.Count, receiver.RequestsFor(id).Count); // each attempt made exactly once
            Assert.Equal(200, attempts[^1].GetProperty("responseCode").GetInt32());
            Assert.All(attempts[..^1], a => Assert.Equal(503, a.GetProperty("responseCode").GetInt32()));

            // The schedule held across the restart: no attempt came before its retry delay.
            for (var i = 1; i < attempts.Count; i++)
            {
                var gap = attempts[i].GetProperty("startedUtc").GetDateTime() - attempts[i - 1].GetProperty("startedUtc").GetDateTime();
                Assert.True(gap >= Delays[i - 1] - TimeSpan.FromMilliseconds(100), $"{id}: attempt {i + 1} came {gap} after attempt {i}");
            }
        }
    }
}
