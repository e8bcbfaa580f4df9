using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace CIOPulse.Bench;

/// <summary>
/// The retention sweep's cost on PostgreSQL, one silo process: <c>--old</c> webhooks (20,000) are
/// delivered; then <c>--load</c> completions (8,000, 64 in flight) measure deliveries/s with no sweep
/// work; once the old webhooks pass <c>--retention-seconds</c> (30) the sweep (every second, batches of
/// 500) expires them: first alone, for <c>--pure</c> expiries (8,000), which gives webhooks expired per
/// second and silo CPU ms per webhook expired; then the same load again while it goes on, which gives
/// deliveries/s with a sweep running. One JSON line.
/// </summary>
public static class RetentionBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";
    private const string Account = "bench-retention";

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var old = int.Parse(options.GetValueOrDefault("old", "20000"), CultureInfo.InvariantCulture);
        var load = int.Parse(options.GetValueOrDefault("load", "8000"), CultureInfo.InvariantCulture);
        var pure = int.Parse(options.GetValueOrDefault("pure", "8000"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"), CultureInfo.InvariantCulture);
        var retention = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("retention-seconds", "30"), CultureInfo.InvariantCulture));
        var batchSize = options.GetValueOrDefault("batch-size", "500");
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");
        await using var database = await BenchDatabase.CreateAsync(options, "retention");
        await using var receiver = await BenchReceiver.StartAsync(failFirst: 0);
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Api:SystemKey"] = SystemKey,
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Api:RateLimits:CompletionsPerSecond"] = "0",
            ["Webhooks:RetentionDays"] = (retention.TotalDays).ToString("R", CultureInfo.InvariantCulture),
            ["Webhooks:RetentionSweepInterval"] = "00:00:01",
            ["Webhooks:RetentionSweepBatchSize"] = batchSize,
            ["Orleans:SiloPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        };

        await using var silo = await ServiceProcess.StartAsync(siloDll, settings, BenchSupport.FreePort());
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = silo.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
        (await http.PutAsJsonAsync($"api/v1/accounts/{Account}", new { name = "Bench", plan = "Enterprise" })).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/v1/accounts/{Account}/webhook-settings", new { enabled = true, url = receiver.Url.ToString() })).EnsureSuccessStatusCode();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);

        // The old webhooks, and the control load before any of them is past the retention.
        var loadedAt = Stopwatch.GetTimestamp();
        await DeliverAsync(http, receiver, "old", old, concurrency);
        var oldReady = Stopwatch.GetElapsedTime(loadedAt);
        var without = await DeliverAsync(http, receiver, "control", load, concurrency);
        var controlDone = Stopwatch.GetElapsedTime(loadedAt);
        var expiredDuringControl = await ExpiredAsync(dataSource);

        // The sweep alone: from its first expiry until `pure` are expired.
        while (await ExpiredAsync(dataSource) == 0)
        {
            await Task.Delay(50);
        }

        var pureStart = Stopwatch.GetTimestamp();
        var cpuStart = silo.CpuSeconds();
        var expiredStart = await ExpiredAsync(dataSource);
        long expiredNow;
        while ((expiredNow = await ExpiredAsync(dataSource)) < pure)
        {
            await Task.Delay(50);
        }

        var pureSeconds = Stopwatch.GetElapsedTime(pureStart).TotalSeconds;
        var pureCpuMs = (silo.CpuSeconds() - cpuStart) * 1000;
        var pureExpired = expiredNow - expiredStart;

        // The same load again while the sweep goes on through the rest.
        var expiredBeforeLoad = await ExpiredAsync(dataSource);
        var with = await DeliverAsync(http, receiver, "with-sweep", load, concurrency);
        var expiredAfterLoad = await ExpiredAsync(dataSource);

        var result = new Dictionary<string, object?>
        {
            ["label"] = options.GetValueOrDefault("label", ""),
            ["benchmark"] = "retention",
            ["old"] = old,
            ["load"] = load,
            ["concurrency"] = concurrency,
            ["retentionSeconds"] = retention.TotalSeconds,
            ["batchSize"] = int.Parse(batchSize, CultureInfo.InvariantCulture),
            ["oldDeliveredSeconds"] = Math.Round(oldReady.TotalSeconds, 2),
            ["controlDoneSeconds"] = Math.Round(controlDone.TotalSeconds, 2),
            ["expiredDuringControl"] = expiredDuringControl,
            ["sweepAloneExpired"] = pureExpired,
            ["sweepAloneSeconds"] = Math.Round(pureSeconds, 2),
            ["expiredPerSecond"] = Math.Round(pureExpired / pureSeconds, 0),
            ["siloCpuMsPerExpired"] = Math.Round(pureCpuMs / pureExpired, 3),
            ["expiredPerSiloCpuMs"] = Math.Round(pureExpired / pureCpuMs, 2),
            ["deliveriesPerSecondWithoutSweep"] = Math.Round(without.PerSecond, 0),
            ["deliveriesPerSecondWithSweep"] = Math.Round(with.PerSecond, 0),
            ["siloCpuMsPerDeliveryWithoutSweep"] = Math.Round(without.CpuMs / load, 3),
            ["siloCpuMsPerDeliveryWithSweep"] = Math.Round(with.CpuMs / load, 3),
            ["expiredDuringLoadWithSweep"] = expiredAfterLoad - expiredBeforeLoad,
            ["expiredTotal"] = await ExpiredAsync(dataSource),
            ["errors"] = without.Errors + with.Errors,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;

        async Task<(double PerSecond, double CpuMs, int Errors)> DeliverAsync(HttpClient client, BenchReceiver hooks, string prefix, int count, int inFlight)
        {
            var target = hooks.Delivered.Count + count;
            var cpu = silo.CpuSeconds();
            var started = Stopwatch.GetTimestamp();
            var next = -1;
            var errors = 0;
            await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    var (status, _) = await BenchSupport.PostCompletionAsync(client, Account, $"{prefix}-{i}");
                    if (status != 202)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
            }));
            while (hooks.Delivered.Count < target - errors)
            {
                await Task.Delay(5);
            }

            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            return ((count - errors) / seconds, (silo.CpuSeconds() - cpu) * 1000, errors);
        }
    }

    private static async Task<long> ExpiredAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL AND expired");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
