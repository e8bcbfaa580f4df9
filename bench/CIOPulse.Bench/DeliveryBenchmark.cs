using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace CIOPulse.Bench;

/// <summary>
/// End to end through the public HTTP API: starts the silo as its own process (embedded or on a fresh
/// PostgreSQL database), points an account at an in-process loopback receiver, posts completions at
/// a fixed concurrency or a fixed rate, waits for every accepted webhook to arrive, and prints one
/// JSON line of results.
/// </summary>
public static class DeliveryBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";

    // Warm-up after --warmup: rounds of this many completions per silo, until a round leaves every
    // silo's JIT with at most SettledMethods (re)compiled methods, or MaxSettleRounds have run.
    private const int SettleRoundPerSilo = 1000;
    private const int SettledMethods = 25;
    private const int MaxSettleRounds = 15;

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var mode = options.GetValueOrDefault("mode", "embedded");
        var completions = int.Parse(options.GetValueOrDefault("completions", "10000"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "64"), CultureInfo.InvariantCulture);
        var rate = double.Parse(options.GetValueOrDefault("rate", "0"), CultureInfo.InvariantCulture);
        var failFirst = int.Parse(options.GetValueOrDefault("fail-first", "0"), CultureInfo.InvariantCulture);
        var retryDelay = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("retry-delay", "1"), CultureInfo.InvariantCulture));
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");
        var waitTimeout = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("wait-timeout", "300"), CultureInfo.InvariantCulture));
        var siloCount = int.Parse(options.GetValueOrDefault("silos", "1"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.GetValueOrDefault("warmup", "2000"), CultureInfo.InvariantCulture);

        // --accounts N: the load is spread over N accounts, each with Basic auth on and its own
        // destination (one loopback address of the receiver each), as a service's customers are.
        var accountCount = int.Parse(options.GetValueOrDefault("accounts", "4"), CultureInfo.InvariantCulture);
        if (accountCount is < 1 or > 16)
        {
            throw new ArgumentException("--accounts must be from 1 to 16");
        }

        // --clusters separate: each of the --silos is a cluster of its own (its own cluster and
        // service id, so its own grains, directory and reminders) behind the same load generator and
        // receiver: the same processes and load per process as a cluster of that size, without a
        // cross-silo call. It tells the cost of the calls between silos from that of the processes.
        var separateClusters = options.GetValueOrDefault("clusters", "one") switch
        {
            "one" => false,
            "separate" => true,
            var other => throw new ArgumentException($"--clusters must be one or separate, not '{other}'"),
        };

        // --silo-cpus N: each silo's runtime sizes itself for N processors, as under a container's
        // CPU quota (several silos sharing a machine's cores); default: the machine's count.
        int? siloCpus = options.TryGetValue("silo-cpus", out var cpus) ? int.Parse(cpus, CultureInfo.InvariantCulture) : null;

        // --target hangfire: the Hangfire + Hangfire.PostgreSql baseline (bench/HangfireBaseline) in
        // place of the silo, with the same settings, for the comparison of issue 4. --target ceiling:
        // the no-persistence ceiling (bench/Ceiling) of issue 15: read, build, POST, nothing stored.
        var target = options.GetValueOrDefault("target", "ciopulse");
        if (target == "hangfire")
        {
            siloDll = options.GetValueOrDefault("hangfire-dll", "bench/HangfireBaseline/bin/Release/net10.0/CIOPulse.HangfireBaseline.dll");
        }
        else if (target == "ceiling")
        {
            siloDll = options.GetValueOrDefault("ceiling-dll", "bench/Ceiling/bin/Release/net10.0/CIOPulse.Ceiling.dll");
            if (mode != "embedded" || failFirst > 0)
            {
                throw new ArgumentException("--target ceiling stores nothing: it runs with --mode embedded and without --fail-first");
            }
        }
        else if (target != "ciopulse")
        {
            throw new ArgumentException($"--target must be ciopulse, hangfire or ceiling, not '{target}'");
        }

        await using var receiver = await BenchReceiver.StartAsync(failFirst, accountCount);
        var accounts = Enumerable.Range(0, accountCount).Select(i => $"bench-{i}").ToArray();
        var settings = new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SystemKey,
            ["Webhooks:AllowPrivateNetworks"] = "true",
            // One account at the service's capacity: its per-account intake limit would be the figure measured.
            ["Api:RateLimits:CompletionsPerSecond"] = "0",
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:CIOPulse"] = "Warning",
        };
        for (var i = 0; i < 4; i++)
        {
            settings[$"Webhooks:RetryDelays:{i}"] = retryDelay.ToString();
        }

        await using var database = mode == "postgres" ? await BenchDatabase.CreateAsync(options, "postgres mode") : null;
        var connectionString = database?.ConnectionString;
        if (connectionString is not null)
        {
            settings["ConnectionStrings:Postgres"] = connectionString;
            settings["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings["Orleans:AdvertisedIPAddress"] = "127.0.0.1";
        }

        if (target == "hangfire" && connectionString is null)
        {
            throw new ArgumentException("--target hangfire needs --mode postgres (the baseline has no in-memory mode)");
        }

        if (siloCount > 1 && connectionString is null)
        {
            throw new ArgumentException("--silos > 1 needs --mode postgres (embedded mode is a single node)");
        }

        if (separateClusters && (siloCount < 2 || target != "ciopulse"))
        {
            throw new ArgumentException("--clusters separate needs --silos > 1 and --target ciopulse");
        }

        var services = new List<ServiceProcess>();
        var clients = new List<HttpClient>();
        for (var i = 0; i < siloCount; i++)
        {
            var siloSettings = new Dictionary<string, string>(settings)
            {
                ["Orleans:SiloPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            };
            if (separateClusters)
            {
                siloSettings["Orleans:ClusterId"] = $"{settings["Orleans:ClusterId"]}-{i}";
                siloSettings["Orleans:ServiceId"] = siloSettings["Orleans:ClusterId"];
            }

            services.Add(await ServiceProcess.StartAsync(siloDll, siloSettings, BenchSupport.FreePort(), siloCpus));
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = services[^1].BaseUri,
                Timeout = TimeSpan.FromSeconds(60),
            };
            client.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
            clients.Add(client);
        }

        await using var cleanup = new Cleanup(services, clients);
        foreach (var http in separateClusters ? clients : clients[..1])
        {
            for (var i = 0; i < accounts.Length; i++)
            {
                (await http.PutAsJsonAsync($"api/v1/accounts/{accounts[i]}", new { name = $"Bench {i}", plan = "Enterprise" })).EnsureSuccessStatusCode();
                (await http.PutAsJsonAsync($"api/v1/accounts/{accounts[i]}/webhook-settings",
                    new { enabled = true, url = receiver.Urls[i].ToString(), username = $"bench-{i}", password = $"Pa55: wörd-{i}" })).EnsureSuccessStatusCode();
            }
        }

        // Warm up outside the measurement: JIT (tier 1 with PGO needs a few thousand calls of each
        // method; every silo process pays it once), connection pools, grain directories.
        var warmed = 0;
        async Task WarmUpAsync(int count)
        {
            await Parallel.ForEachAsync(Enumerable.Range(warmed, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
                await BenchSupport.PostCompletionAsync(clients[i % clients.Count], accounts[i % accounts.Length], $"warmup-{i}"));
            warmed += count;
            if (!await WaitAsync(() => receiver.Delivered.Count >= warmed, TimeSpan.FromSeconds(120)))
            {
                // Its stragglers would be measured as part of the run.
                throw new TimeoutException($"warm-up: {receiver.Delivered.Count} of {warmed} delivered after 120 s");
            }
        }

        // /metrics answers from the exporter's cache for up to 300 ms (ScrapeResponseCacheDurationMilliseconds),
        // and a silo counts a POST a moment after the receiver has it: a round of warm-up can be
        // shorter than that, so read until the silos' successful POSTs add up to what the receiver got.
        async Task<SiloMetrics[]> CurrentMetricsAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var metrics = await Task.WhenAll(clients.Select(MetricsAsync));
                if (metrics.Sum(m => m.SuccessfulPosts) >= receiver.Delivered.Count)
                {
                    return metrics;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"/metrics: {metrics.Sum(m => m.SuccessfulPosts)} successful POSTs after 10 s; the receiver has {receiver.Delivered.Count}");
                }

                await Task.Delay(100);
            }
        }

        await WarmUpAsync(warmup);

        // Then on, a round at a time, until no silo's JIT is still busy: tiered compilation goes on
        // recompiling hot methods in the background for a while, longer when several silos share
        // the traffic, and measured meanwhile its CPU would count as cost per delivery.
        // A target without the runtime's JIT counters (the Hangfire baseline) gets one round, and
        // whether its JIT settled stays unknown (null).
        var settleRounds = 0;
        bool? jitSettled = null;
        var before = await CurrentMetricsAsync();
        while (settleRounds < MaxSettleRounds)
        {
            await WarmUpAsync(SettleRoundPerSilo * clients.Count);
            settleRounds++;
            var after = await CurrentMetricsAsync();
            if (after.Zip(before).Any(m => m.First.Jit is null || m.Second.Jit is null))
            {
                break;
            }

            var compiled = after.Zip(before).Select(m => m.First.Jit!.Value.Methods - m.Second.Jit!.Value.Methods).ToList();
            before = after;
            Console.Error.WriteLine($"warm-up round {settleRounds}: methods (re)compiled per silo {string.Join(" / ", compiled)}");
            jitSettled = compiled.All(methods => methods <= SettledMethods);
            if (jitSettled == true)
            {
                break;
            }
        }

        Console.Error.WriteLine($"measuring after {warmed} warm-up completions");
        var postsBefore = receiver.TotalPosts;

        var transactionsBefore = connectionString is null ? 0 : await TransactionsAsync(connectionString);
        var databaseBefore = connectionString is null ? null : await DatabaseGrowthAsync(connectionString);
        var cpuBefore = services.Sum(s => s.CpuSeconds());
        var machineCpuBefore = MachineCpuSeconds();
        var metricsBefore = await CurrentMetricsAsync();
        var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var statuses = new ConcurrentDictionary<int, int>();
        var start = Stopwatch.GetTimestamp();
        long lastAnswer = start;

        async Task SendAsync(int index)
        {
            var t0 = Stopwatch.GetTimestamp();
            var (status, webhookId) = await BenchSupport.PostCompletionAsync(clients[index % clients.Count], accounts[index % accounts.Length], $"r-{index}");
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == 202 && webhookId is not null)
            {
                sent[webhookId] = t0;
            }

            var now = Stopwatch.GetTimestamp();
            InterlockedMax(ref lastAnswer, now);
        }

        if (rate > 0)
        {
            var inFlight = new SemaphoreSlim(2048);
            var tasks = new List<Task>(completions);
            for (var i = 0; i < completions; i++)
            {
                var due = start + (long)(i / rate * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                await inFlight.WaitAsync();
                var index = i;
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        await SendAsync(index);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }));
            }

            await Task.WhenAll(tasks);
        }
        else
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < completions)
                {
                    await SendAsync(index);
                }
            })));
        }

        var accepted = sent.Count;
        await WaitAsync(() => sent.Keys.All(receiver.Delivered.ContainsKey), waitTimeout);
        var lastDelivery = sent.Keys.Where(receiver.Delivered.ContainsKey).Select(id => receiver.Delivered[id]).DefaultIfEmpty(start).Max();
        await Task.Delay(TimeSpan.FromSeconds(failFirst > 0 ? 1 : 2)); // stragglers (duplicates) and the statistics flush
        var cpu = services.Sum(s => s.CpuSeconds()) - cpuBefore;
        var machineCpu = MachineCpuSeconds() - machineCpuBefore;
        var metricsAfter = await CurrentMetricsAsync();
        // Null, like jitSettled, for a target without the runtime's JIT counters.
        double? jitSeconds = metricsAfter.Concat(metricsBefore).All(m => m.Jit is not null)
            ? metricsAfter.Zip(metricsBefore).Sum(m => m.First.Jit!.Value.Seconds - m.Second.Jit!.Value.Seconds)
            : null;
        var perSilo = metricsAfter.Zip(metricsBefore, (after, before) => after.SuccessfulPosts - before.SuccessfulPosts).ToList();
        var transactions = connectionString is null ? 0 : await TransactionsAsync(connectionString) - transactionsBefore;
        var databaseAfter = connectionString is null ? null : await DatabaseGrowthAsync(connectionString);

        var latencies = sent.Where(kv => receiver.Delivered.ContainsKey(kv.Key))
            .Select(kv => Stopwatch.GetElapsedTime(kv.Value, receiver.Delivered[kv.Key]).TotalMilliseconds)
            .Order().ToList();
        var delivered = latencies.Count;
        double? PerDelivery(Func<DatabaseGrowth, long> measure) =>
            databaseBefore is null || databaseAfter is null ? null : Round((double)(measure(databaseAfter) - measure(databaseBefore)) / Math.Max(1, delivered));
        var result = new Dictionary<string, object?>
        {
            ["label"] = options.GetValueOrDefault("label", ""),
            ["target"] = target,
            ["mode"] = mode,
            ["completions"] = completions,
            ["warmup"] = warmed,
            ["settleRounds"] = settleRounds,
            ["jitSettled"] = jitSettled,
            ["jitSecondsMeasured"] = jitSeconds is { } seconds ? Round(seconds) : null,
            ["concurrency"] = rate > 0 ? null : concurrency,
            ["offeredRatePerSec"] = rate > 0 ? rate : null,
            ["failFirst"] = failFirst,
            ["accepted"] = accepted,
            ["acceptedPerSec"] = Round(accepted / Stopwatch.GetElapsedTime(start, lastAnswer).TotalSeconds),
            ["delivered"] = delivered,
            ["deliveredPerSec"] = Round(delivered / Stopwatch.GetElapsedTime(start, lastDelivery).TotalSeconds),
            ["latencyMs"] = new Dictionary<string, double>
            {
                ["p50"] = Round(Percentiles.Of(latencies, 50)),
                ["p95"] = Round(Percentiles.Of(latencies, 95)),
                ["p99"] = Round(Percentiles.Of(latencies, 99)),
                ["max"] = Round(latencies.Count > 0 ? latencies[^1] : double.NaN),
            },
            ["lost"] = accepted - delivered,
            ["duplicates"] = receiver.Duplicates,
            ["accounts"] = accountCount,
            ["postsWithoutBasicAuth"] = receiver.WithoutBasicAuth,
            ["posts"] = receiver.TotalPosts - postsBefore,
            ["errorsByStatus"] = statuses.Where(kv => kv.Key != 202).ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value),
            ["siloCpuSeconds"] = Round(cpu),
            ["siloCpuMsPerDelivery"] = Round(cpu * 1000 / Math.Max(1, delivered)),
            ["silos"] = siloCount,
            ["separateClusters"] = separateClusters,
            ["siloCpus"] = siloCpus,
            ["deliveriesPerSilo"] = perSilo,
            ["siloCpuMsPer1000Deliveries"] = Round(cpu * 1_000_000 / Math.Max(1, delivered)),
            ["machineCpuMsPerDelivery"] = Round(machineCpu * 1000 / Math.Max(1, delivered)),
            ["siloPeakRssMiB"] = Round(services.Max(s => s.PeakRssBytes()) / 1048576.0),
            ["dbTransactionsPerDelivery"] = connectionString is null ? null : Round((double)transactions / Math.Max(1, delivered)),
            // The server's WAL (pg_stat_wal: every database on it, so only this run's should be busy)
            // and the growth of the product's tables, per delivery: the inputs of docs/capacity.md.
            ["walBytesPerDelivery"] = PerDelivery(g => g.WalBytes),
            ["tableBytesPerDelivery"] = databaseAfter is null ? null : databaseAfter.TableBytes.Keys.ToDictionary(
                table => table, table => Round((double)(databaseAfter.TableBytes[table] - databaseBefore!.TableBytes.GetValueOrDefault(table)) / Math.Max(1, delivered))),
            ["machine"] = $"{Environment.ProcessorCount} cores",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));

        foreach (var service in services)
        {
            service.Kill();
        }

        return accepted == delivered && accepted == completions ? 0 : 1;
    }

    /// <summary>
    /// CPU seconds the whole machine has spent busy (/proc/stat: user, nice, system, irq, softirq and
    /// steal, in ticks of 1/100 s): the service, PostgreSQL, and this load generator and receiver together.
    /// </summary>
    private static double MachineCpuSeconds()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (ticks.Sum() - ticks[3] - ticks[4]) / BenchSupport.ClockTicksPerSecond;
    }

    /// <summary>What a silo's /metrics (Prometheus text) says so far: its successful POSTs, and its JIT
    /// (methods compiled, seconds compiling; null when it does not export the runtime's counters).</summary>
    private sealed record SiloMetrics(double SuccessfulPosts, (double Methods, double Seconds)? Jit);

    private static async Task<SiloMetrics> MetricsAsync(HttpClient client)
    {
        var samples = (await client.GetStringAsync(new Uri("metrics", UriKind.Relative))).Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => (Series: line[..line.LastIndexOf(' ')], Value: double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToList();
        double? Sample(string name) => samples.Where(s => s.Series == name || s.Series.StartsWith(name + "{", StringComparison.Ordinal)).Select(s => (double?)s.Value).FirstOrDefault();
        var posts = samples
            .Where(s => s.Series.StartsWith("ciopulse_webhooks_attempts_total{", StringComparison.Ordinal) && s.Series.Contains("outcome=\"success\"", StringComparison.Ordinal))
            .Sum(s => s.Value);
        return new SiloMetrics(posts, Sample("dotnet_jit_compiled_methods_total") is { } methods && Sample("dotnet_jit_compilation_time_seconds_total") is { } seconds
            ? (methods, seconds)
            : null);
    }

    private sealed class Cleanup(List<ServiceProcess> services, List<HttpClient> clients) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            clients.ForEach(c => c.Dispose());
            foreach (var service in services)
            {
                await service.DisposeAsync();
            }
        }
    }

    /// <summary>The server's WAL bytes so far and the size (with indexes and TOAST) of each product table.</summary>
    private sealed record DatabaseGrowth(long WalBytes, Dictionary<string, long> TableBytes);

    private static async Task<DatabaseGrowth> DatabaseGrowthAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT 'wal', wal_bytes::bigint FROM pg_stat_wal
            UNION ALL
            SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
             WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        long wal = 0;
        var tables = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            if (reader.GetString(0) == "wal")
            {
                wal = reader.GetInt64(1);
            }
            else
            {
                tables[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        return new DatabaseGrowth(wal, tables);
    }

    private static async Task<long> TransactionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_stat_clear_snapshot(); SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.NextResultAsync();
        await reader.ReadAsync();
        return reader.GetInt64(0);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (true) or <paramref name="timeout"/> passes (false).</summary>
    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static double Round(double value) => double.IsNaN(value) ? double.NaN : Math.Round(value, 2);
}
