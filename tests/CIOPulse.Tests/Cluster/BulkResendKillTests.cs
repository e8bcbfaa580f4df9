using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CIOPulse.Tests.Cluster;

/// <summary>
/// A bulk resend survives the death of the silo running it (PostgreSQL, real silo processes, SIGKILL):
/// the survivor's reminder resumes the operation from its checkpoint, and every selected webhook ends
/// with exactly one attempt made for it, none twice and none skipped, with exact counts.
/// </summary>
public sealed class BulkResendKillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)];
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    // Webhooks:BulkResendMaxInFlight's default: the most attempts in flight when the silo dies.
    private const int MaxInFlight = 10;

    [Fact]
    public async Task Killing_the_silo_running_a_bulk_resend_midway_resends_every_webhook_exactly_once_with_exact_counts()
    {
        const int count = 300;
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await using var cluster = new ProcessCluster(database.ConnectionString, Delays, AttemptTimeout);
        await cluster.StartSilosAsync(2);
        var accountId = await cluster.CreateAccountAsync(receiver.UrlFor("/first"));
        var webhooks = new List<string>();
        using (var client = cluster.Silos[0].CreateClient())
        {
            for (var i = 0; i < count; i++)
            {
                var (status, webhookId, body) = await ProcessCluster.PostCompletionAsync(client, accountId, $"r-{i}");
                Assert.True(status == HttpStatusCode.Accepted, body);
                webhooks.Add(webhookId!);
            }

            await Eventually.HoldsAsync(async () => await CountAsync(client, accountId, "Succeeded") == count, "every webhook succeeds", Generous, TimeSpan.FromMilliseconds(500));
            (await client.PutAsJsonAsync($"api/v1/accounts/{accountId}/webhook-settings", new { enabled = true, url = receiver.UrlFor("/bulk") })).EnsureSuccessStatusCode();
        }

        string operationId;
        using (var client = cluster.Silos[0].CreateClient())
        {
            using var started = await client.PostAsJsonAsync($"api/v1/accounts/{accountId}/webhook-log/resend-batch", new
            {
                status = "Succeeded",
                lastActivityFrom = DateTime.UtcNow.AddHours(-1),
                lastActivityUntil = DateTime.UtcNow.AddHours(1),
                ratePerSecond = 50,
            });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            using var json = JsonDocument.Parse(await started.Content.ReadAsStringAsync());
            operationId = json.RootElement.GetProperty("id").GetString()!;
            Assert.Equal(count, json.RootElement.GetProperty("total").GetInt32());
        }

        // Midway: a third done, then the silo running it dies without a word.
        var runner = cluster.Silos.Single(s => s.Output.Any(line => line.Contains($"Bulk resend {operationId} of account", StringComparison.Ordinal)));
        var midway = await Eventually.ReachAsync(
            () => ProgressAsync(cluster, accountId, operationId), p => p is { } progress && progress.GetProperty("done").GetInt32() >= count / 3,
            "a third of the bulk resend is done", Generous, TimeSpan.FromMilliseconds(100));
        runner.Kill();
        var killedAt = System.Diagnostics.Stopwatch.StartNew();
        var doneAtKill = midway!.Value.GetProperty("done").GetInt32();
        Assert.InRange(doneAtKill, count / 3, count - 1);
        var survivor = cluster.Running.Single();

        var finished = await Eventually.ReachAsync(
            () => ProgressAsync(cluster, accountId, operationId), p => p is { } progress && progress.GetProperty("status").GetString() != "Running",
            "the bulk resend finishes on the survivor", Generous, TimeSpan.FromMilliseconds(500));
        var final = finished!.Value;
        output.WriteLine($"done at the kill: {doneAtKill} of {count}; finished {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");
        Assert.Equal("Completed", final.GetProperty("status").GetString());
        Assert.Equal(count, final.GetProperty("total").GetInt32());
        Assert.Equal(count, final.GetProperty("done").GetInt32());
        Assert.Equal(count, final.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, final.GetProperty("failed").GetInt32());
        Assert.Contains(survivor.Output, line => line.Contains($"Bulk resend {operationId} resumes at", StringComparison.Ordinal));

        // Each webhook's history: exactly one attempt for the operation (its second), none skipped.
        var entries = await cluster.WaitForAllAsync(accountId, webhooks, _ => true, Generous);
        var duplicates = 0;
        foreach (var id in webhooks)
        {
            var attempts = entries[id].GetProperty("attemptHistory").EnumerateArray().ToList();
            var marked = attempts.Where(a => a.TryGetProperty("bulkResendId", out var b) && b.GetString() == operationId).ToList();
            Assert.True(marked.Count == 1, $"{id} has {marked.Count} attempts for the operation");
            Assert.Equal(2, attempts.Count);
            Assert.Equal(200, marked[0].GetProperty("responseCode").GetInt32());

            // At least once: an attempt in flight on the killed silo may reach the receiver twice.
            var posts = receiver.RequestsTo("/bulk").Count(r => r.WebhookId == id);
            Assert.InRange(posts, 1, 2);
            duplicates += posts - 1;
        }

        output.WriteLine($"receiver saw {duplicates} duplicate POSTs (bound: {MaxInFlight})");
        Assert.InRange(duplicates, 0, MaxInFlight);
    }

    private static async Task<int> CountAsync(HttpClient client, string accountId, string status)
    {
        var total = 0;
        string? cursor = null;
        do
        {
            var query = $"api/v1/accounts/{accountId}/webhook-log?status={status}&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri(query, UriKind.Relative)));
            total += json.RootElement.GetProperty("items").GetArrayLength();
            cursor = json.RootElement.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return total;
    }

    /// <summary>The operation's progress through any running silo, or null while none answers.</summary>
    private static async Task<JsonElement?> ProgressAsync(ProcessCluster cluster, string accountId, string operationId)
    {
        foreach (var silo in cluster.Running)
        {
            try
            {
                using var client = silo.CreateClient();
                client.Timeout = TimeSpan.FromSeconds(10);
                using var response = await client.GetAsync(new Uri($"api/v1/accounts/{accountId}/webhook-log/resend-batch/{operationId}", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    return json.RootElement.Clone();
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // That silo is going away or taking over; ask the next one.
            }
        }

        return null;
    }
}
