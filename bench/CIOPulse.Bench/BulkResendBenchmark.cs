using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace CIOPulse.Bench;

/// <summary>
/// The rate a bulk resend sustains (issue 14): a silo process (embedded or PostgreSQL), one account
/// with --webhooks delivered webhooks, then one bulk resend of all of them at --rate per second; prints
/// one JSON line: resends delivered per second (receiver POSTs over the operation's run), the
/// silo's CPU over that run, and whether the counts came out exact.
/// </summary>
public static class BulkResendBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var mode = options.GetValueOrDefault("mode", "embedded");
        var webhooks = int.Parse(options.GetValueOrDefault("webhooks", "2000"), CultureInfo.InvariantCulture);
        var rate = int.Parse(options.GetValueOrDefault("rate", "100"), CultureInfo.InvariantCulture);
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");

        await using var receiver = await BenchReceiver.StartAsync(failFirst: 0);
        var settings = new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SystemKey,
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Api:RateLimits:CompletionsPerSecond"] = "0",
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:SiloPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Webhooks:BulkResendMaxRatePerSecond"] = Math.Max(rate, 100).ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:CIOPulse"] = "Warning",
        };
        await using var database = mode == "postgres" ? await BenchDatabase.CreateAsync(options, "postgres mode") : null;
        if (database is not null)
        {
            settings["ConnectionStrings:Postgres"] = database.ConnectionString;
            settings["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings["Orleans:AdvertisedIPAddress"] = "127.0.0.1";
        }

        await using var silo = await ServiceProcess.StartAsync(siloDll, settings, BenchSupport.FreePort());
        using var http = new HttpClient { BaseAddress = silo.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
        (await http.PutAsJsonAsync("api/v1/accounts/bench", new { name = "Bench", plan = "Enterprise" })).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync("api/v1/accounts/bench/webhook-settings", new { enabled = true, url = receiver.Url.ToString() })).EnsureSuccessStatusCode();

        var from = DateTime.UtcNow.AddMinutes(-1);
        await Parallel.ForAsync(0, webhooks, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var (status, _) = await BenchSupport.PostCompletionAsync(http, "bench", $"bulk-{i}");
            if (status != 202)
            {
                throw new InvalidOperationException($"completion {i} answered {status}");
            }
        });
        var deadline = Stopwatch.StartNew();
        while (receiver.Delivered.Count < webhooks && deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
        }

        var postsBefore = receiver.TotalPosts;
        var cpuBefore = silo.CpuSeconds();
        var clock = Stopwatch.StartNew();
        using var started = await http.PostAsJsonAsync("api/v1/accounts/bench/webhook-log/resend-batch", new
        {
            lastActivityFrom = from,
            lastActivityUntil = DateTime.UtcNow.AddMinutes(1),
            ratePerSecond = rate,
        });
        started.EnsureSuccessStatusCode();
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        JsonElement progress;
        while (true)
        {
            progress = JsonDocument.Parse(await http.GetStringAsync($"api/v1/accounts/bench/webhook-log/resend-batch/{id}")).RootElement.Clone();
            if (progress.GetProperty("status").GetString() != "Running" || clock.Elapsed > TimeSpan.FromMinutes(10))
            {
                break;
            }

            await Task.Delay(50);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = silo.CpuSeconds() - cpuBefore;
        var posts = receiver.TotalPosts - postsBefore;
        var result = new
        {
            benchmark = "bulk-resend",
            mode,
            webhooks,
            requestedRatePerSecond = rate,
            status = progress.GetProperty("status").GetString(),
            total = progress.GetProperty("total").GetInt32(),
            done = progress.GetProperty("done").GetInt32(),
            succeeded = progress.GetProperty("succeeded").GetInt32(),
            receiverPosts = posts,
            seconds = Math.Round(seconds, 2),
            deliveredPerSecond = Math.Round(posts / seconds, 1),
            siloCpuSeconds = Math.Round(cpu, 2),
            siloCpuPercentOfOneCore = Math.Round(cpu / seconds * 100, 1),
            cpuMsPerResend = Math.Round(cpu * 1000 / Math.Max(posts, 1), 2),
            processors = Environment.ProcessorCount,
            whenUtc = DateTime.UtcNow,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return result.done == webhooks && posts == webhooks ? 0 : 1;
    }
}
