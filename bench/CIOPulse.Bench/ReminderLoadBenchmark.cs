using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql;

namespace CIOPulse.Bench;

/// <summary>
/// Many webhooks waiting on reminders, and a silo dying with them. Phase 1 (load): silo A alone on a
/// fresh PostgreSQL database, the account's receiver refusing connections, N completions posted; every
/// first attempt fails at once, so N webhooks wait InProgress for their first retry (the product's
/// schedule: 5 minutes, or <c>--retry-delay</c>), each with a reminder. Reports load time, A's memory,
/// the database's size and /health/live latency on A during the load. Phase 2 (takeover): silo B
/// joins, the account is pointed at a receiver that answers 200, A is SIGKILLed shortly after the
/// first retries fall due, and the arrival of every retry due up to <c>--observe</c> seconds after the
/// kill is compared with its due time: lateness = arrival - max(kill, due). The reminders' watchdog
/// period is the smaller of a minute and the shortest delay (ten seconds until 2026-12-03), so a
/// first delay of a minute or more keeps the product's reminder behaviour and <c>--retry-delay</c>
/// only moves the due times past the load.
/// Prints one JSON line.
/// </summary>
public static class ReminderLoadBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";
    private const string Account = "bench";

    /// <summary>Orleans' <c>SiloStatus.Dead</c> in the membership table.</summary>
    private const int DeadStatus = 6;

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var webhooks = int.Parse(options.GetValueOrDefault("webhooks", "100000"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);
        var retryDelayOption = options.GetValueOrDefault("retry-delay");
        var firstDelay = retryDelayOption is null ? TimeSpan.FromMinutes(5) : TimeSpan.Parse(retryDelayOption, CultureInfo.InvariantCulture);
        var attemptTimeout = options.GetValueOrDefault("attempt-timeout", "00:00:02");
        var joinWait = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("join-wait", "10"), CultureInfo.InvariantCulture));
        var killAfterDue = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("kill-after-due", "15"), CultureInfo.InvariantCulture));
        var observe = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("observe", "120"), CultureInfo.InvariantCulture));
        var bound = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("bound", "180"), CultureInfo.InvariantCulture));
        var loadTimeout = TimeSpan.FromSeconds(double.Parse(options.GetValueOrDefault("load-timeout", "900"), CultureInfo.InvariantCulture));
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");
        await using var database = await BenchDatabase.CreateAsync(options, "reminders");
        var connectionString = database.ConnectionString;
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var result = new Dictionary<string, object?>
        {
            ["label"] = options.GetValueOrDefault("label", ""),
            ["benchmark"] = "reminders",
            ["webhooks"] = webhooks,
            ["concurrency"] = concurrency,
            ["retryDelays"] = retryDelayOption is null ? "product default (5, 10, 20, 40 min)" : $"{retryDelayOption} x4",
            ["attemptTimeout"] = attemptTimeout,
        };

        Dictionary<string, string> SiloSettings(int siloPort)
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:Postgres"] = connectionString,
                ["Api:SystemKey"] = SystemKey,
                ["Secrets:EncryptionKey"] = encryptionKey,
                ["Webhooks:AllowPrivateNetworks"] = "true",
                // One account at the service's capacity: its per-account intake limit would be the figure measured.
                ["Api:RateLimits:CompletionsPerSecond"] = "0",
                ["Webhooks:AttemptTimeout"] = attemptTimeout,
                ["Orleans:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Orleans:ClusterId"] = clusterId,
                ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:CIOPulse"] = "Warning",
            };
            for (var i = 0; retryDelayOption is not null && i < 4; i++)
            {
                settings[$"Webhooks:RetryDelays:{i}"] = retryDelayOption;
            }

            return settings;
        }

        ServiceProcess? siloA = null;
        ServiceProcess? siloB = null;
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);

            // ---- Phase 1: the load on silo A alone.
            var siloPortA = BenchSupport.FreePort();
            siloA = await ServiceProcess.StartAsync(siloDll, SiloSettings(siloPortA), BenchSupport.FreePort());
            using var httpA = NewClient(siloA.BaseUri);
            (await httpA.PutAsJsonAsync($"api/v1/accounts/{Account}", new { name = "Bench", plan = "Enterprise" })).EnsureSuccessStatusCode();

            // Nothing listens on a port just released: every attempt is refused at once.
            var refusingUrl = $"http://127.0.0.1:{BenchSupport.FreePort()}/hook";
            (await httpA.PutAsJsonAsync($"api/v1/accounts/{Account}/webhook-settings", new { enabled = true, url = refusingUrl })).EnsureSuccessStatusCode();

            using var probeA = new CancellationTokenSource();
            var healthA = ProbeAsync(siloA.BaseUri, probeA.Token);

            var accepted = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            var statuses = new ConcurrentDictionary<int, int>();
            var loadStart = Stopwatch.GetTimestamp();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < webhooks)
                {
                    var (status, webhookId) = await BenchSupport.PostCompletionAsync(httpA, Account, $"r-{index}");
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (webhookId is not null)
                    {
                        accepted.TryAdd(webhookId, 0);
                    }
                }
            })));
            var postSeconds = Stopwatch.GetElapsedTime(loadStart).TotalSeconds;

            var attempted = 0L;
            var loadDeadline = Stopwatch.GetTimestamp() + (long)(loadTimeout.TotalSeconds * Stopwatch.Frequency);
            while ((attempted = await CountAsync(dataSource, "SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL AND attempts >= 1")) < accepted.Count
                && Stopwatch.GetTimestamp() < loadDeadline)
            {
                await Task.Delay(1000);
            }

            var loadSeconds = Stopwatch.GetElapsedTime(loadStart).TotalSeconds;
            await probeA.CancelAsync();
            var healthSamples = await healthA;

            result["accepted"] = accepted.Count;
            result["errorsByStatus"] = statuses.Where(kv => kv.Key != 202).ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value);
            result["postSeconds"] = Round(postSeconds);
            result["acceptedPerSec"] = Round(accepted.Count / postSeconds);
            result["loadSeconds"] = Round(loadSeconds);
            result["attemptedAfterLoad"] = attempted;
            result["siloARssMiB"] = Round(siloA.RssBytes() / 1048576.0);
            result["siloAPeakRssMiB"] = Round(siloA.PeakRssBytes() / 1048576.0);
            result["siloACpuSeconds"] = Round(siloA.CpuSeconds());
            result["healthLiveOnAMs"] = Summary(healthSamples.Latencies, healthSamples.Failures);
            result["database"] = await DatabaseFactsAsync(dataSource);

            // ---- Phase 2: B joins, the receiver comes back, A dies after the first retries fall due.
            var dues = await DueTimesAsync(dataSource, firstDelay);
            var firstDue = dues.Values.Min();
            var lastDue = dues.Values.Max();
            await using var receiver = await BenchReceiver.StartAsync(0);
            var clock = (Utc: DateTime.UtcNow, Ticks: Stopwatch.GetTimestamp());
            DateTime ToUtc(long timestamp) => clock.Utc + Stopwatch.GetElapsedTime(clock.Ticks, timestamp);

            siloB = await ServiceProcess.StartAsync(siloDll, SiloSettings(BenchSupport.FreePort()), BenchSupport.FreePort());
            await Task.Delay(joinWait);
            using var httpB = NewClient(siloB.BaseUri);
            var switchStart = Stopwatch.GetTimestamp();
            (await httpB.PutAsJsonAsync($"api/v1/accounts/{Account}/webhook-settings", new { enabled = true, url = receiver.Url.ToString() })).EnsureSuccessStatusCode();
            result["settingsSwitchThroughBMs"] = Round(Stopwatch.GetElapsedTime(switchStart).TotalMilliseconds);
            result["siloBRssAfterJoinMiB"] = Round(siloB.RssBytes() / 1048576.0);
            result["siloARssAfterJoinMiB"] = Round(siloA.RssBytes() / 1048576.0);

            var killAt = firstDue + killAfterDue;
            var wait = killAt - DateTime.UtcNow;
            result["firstDueAfterLoadEndSeconds"] = Round((firstDue - ToUtc(loadStart + (long)(loadSeconds * Stopwatch.Frequency))).TotalSeconds);
            if (firstDue < DateTime.UtcNow)
            {
                // Retries fell due before B was up and the receiver back: they failed again and wait for
                // their second delay, so the takeover below would measure nothing useful.
                result["error"] = $"the first retries fell due {(DateTime.UtcNow - firstDue).TotalSeconds:F0} s before B was ready: give a longer --retry-delay than {firstDelay}";
                Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
                return 1;
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            siloA.Kill();
            var t0 = DateTime.UtcNow;
            var t0Ticks = Stopwatch.GetTimestamp();
            result["killLateSeconds"] = Round((t0 - killAt).TotalSeconds);
            var deliveredBeforeKill = receiver.Delivered.Count;

            using var probeB = new CancellationTokenSource();
            var healthB = ProbeAsync(siloB.BaseUri, probeB.Token);
            var declaredDead = WaitDeclaredDeadAsync(dataSource, siloPortA, t0Ticks, TimeSpan.FromMinutes(5));
            var accountCall = FirstSuccessAsync(httpB, $"api/v1/accounts/{Account}/webhook-settings", t0Ticks, TimeSpan.FromMinutes(5));

            // The webhooks observed: those due up to `observe` after the kill (all of them when the load is small).
            var observeUntil = t0 + observe;
            var observed = dues.Where(kv => kv.Value <= observeUntil).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var lastObservedDue = observed.Values.DefaultIfEmpty(t0).Max();
            var deadline = (t0 > lastObservedDue ? t0 : lastObservedDue) + bound;
            while (observed.Keys.Any(id => !receiver.Delivered.ContainsKey(id)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }

            await probeB.CancelAsync();
            var healthBSamples = await healthB;
            var deadAfter = await declaredDead;
            var accountCallAfter = await accountCall;
            var declaredDeadUtc = deadAfter is { } deadDelay ? t0 + deadDelay : (DateTime?)null;

            var all = new List<double>();
            var dueBeforeDeath = new List<double>();
            var dueAfterDeath = new List<double>();
            var lastArrival = t0;
            foreach (var (id, due) in observed)
            {
                if (!receiver.Delivered.TryGetValue(id, out var ticks))
                {
                    continue;
                }

                var arrival = ToUtc(ticks);
                if (arrival < t0)
                {
                    continue;
                }

                lastArrival = arrival > lastArrival ? arrival : lastArrival;
                var lateness = (arrival - (due > t0 ? due : t0)).TotalSeconds;
                all.Add(lateness);
                (declaredDeadUtc is { } deadUtc && due >= deadUtc ? dueAfterDeath : dueBeforeDeath).Add(lateness);
            }

            result["takeover"] = new Dictionary<string, object?>
            {
                ["firstDueUtc"] = firstDue.ToString("O", CultureInfo.InvariantCulture),
                ["dueSpreadSeconds"] = Round((lastDue - firstDue).TotalSeconds),
                ["killAfterFirstDueSeconds"] = Round((t0 - firstDue).TotalSeconds),
                ["waiting"] = dues.Count,
                ["observed"] = observed.Count,
                ["observedDueUpToSecondsAfterKill"] = Round((lastObservedDue - t0).TotalSeconds),
                ["deliveredBeforeKill"] = deliveredBeforeKill,
                ["deliveredAfterKill"] = all.Count,
                ["missingAfterBound"] = observed.Keys.Count(id => !receiver.Delivered.ContainsKey(id)),
                ["boundSecondsAfterKill"] = Round((deadline - t0).TotalSeconds),
                ["aDeclaredDeadAfterSeconds"] = deadAfter is { } deadSpan ? Round(deadSpan.TotalSeconds) : null,
                ["accountApiCallThroughBAfterKillSeconds"] = accountCallAfter is { } call ? Round(call.TotalSeconds) : null,
                ["latenessSeconds"] = Summary(all),
                ["latenessDueBeforeDeclaredDeadSeconds"] = Summary(dueBeforeDeath),
                ["latenessDueAfterDeclaredDeadSeconds"] = Summary(dueAfterDeath),
                ["latenessHistogram"] = Histogram(all),
                ["lastArrivalAfterKillSeconds"] = Round((lastArrival - t0).TotalSeconds),
                ["deliveredPerSecAfterKill"] = Round(all.Count / Math.Max(0.001, (lastArrival - t0).TotalSeconds)),
                ["duplicates"] = receiver.Duplicates,
                ["siloBRssMiB"] = Round(siloB.RssBytes() / 1048576.0),
                ["siloBPeakRssMiB"] = Round(siloB.PeakRssBytes() / 1048576.0),
                ["siloBCpuSeconds"] = Round(siloB.CpuSeconds()),
                ["healthLiveOnBMs"] = Summary(healthBSamples.Latencies, healthBSamples.Failures),
            };
            // Let the last attempts' state and log writes land before counting what is left.
            await Task.Delay(TimeSpan.FromSeconds(2));
            result["databaseAtEnd"] = await DatabaseFactsAsync(dataSource);
            Console.Error.WriteLine("--- silo B output (tail)\n" + string.Join('\n', siloB.Tail()));
            result["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim();
            result["machine"] = $"{Environment.ProcessorCount} cores";
            result["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
            return accepted.Count == webhooks && observed.Keys.All(receiver.Delivered.ContainsKey) ? 0 : 1;
        }
        finally
        {
            if (siloA is not null)
            {
                await siloA.DisposeAsync();
            }

            if (siloB is not null)
            {
                await siloB.DisposeAsync();
            }
        }
    }

    private static HttpClient NewClient(Uri baseUri)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
        return http;
    }

    /// <summary>GET /health/live every 100 ms until cancelled: how long a trivial request waits in a busy silo.</summary>
    private static async Task<(List<double> Latencies, int Failures)> ProbeAsync(Uri baseUri, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(10) };
        var latencies = new List<double>();
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync(new Uri("health/live", UriKind.Relative), CancellationToken.None);
                if (response.IsSuccessStatusCode)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
                else
                {
                    failures++;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failures++;
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (latencies, failures);
    }

    /// <summary>How long after the kill the membership table marks silo A (by its silo port) Dead.</summary>
    private static async Task<TimeSpan?> WaitDeclaredDeadAsync(NpgsqlDataSource dataSource, int siloPort, long since, TimeSpan timeout)
    {
        while (Stopwatch.GetElapsedTime(since) < timeout)
        {
            await using var command = dataSource.CreateCommand("SELECT status FROM orleansmembershiptable WHERE port = $1 ORDER BY generation DESC LIMIT 1");
            command.Parameters.Add(new() { Value = siloPort });
            if (await command.ExecuteScalarAsync() is int status && status == DeadStatus)
            {
                return Stopwatch.GetElapsedTime(since);
            }

            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>
    /// How long after the kill an API call through B that needs the account's grain (activated on A
    /// during the load) first answers 200.
    /// </summary>
    private static async Task<TimeSpan?> FirstSuccessAsync(HttpClient http, string path, long since, TimeSpan timeout)
    {
        while (Stopwatch.GetElapsedTime(since) < timeout)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return Stopwatch.GetElapsedTime(since);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not yet
            }

            await Task.Delay(100);
        }

        return null;
    }

    /// <summary>Each waiting webhook's retry due time: its first attempt's start plus the first retry delay.</summary>
    private static async Task<Dictionary<string, DateTime>> DueTimesAsync(NpgsqlDataSource dataSource, TimeSpan firstDelay)
    {
        var dues = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        await using var command = dataSource.CreateCommand(
            "SELECT webhook_id, last_activity FROM webhook_log WHERE replaced_xid IS NULL AND status = 0 AND attempts = 1");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            dues[reader.GetString(0)] = DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc) + firstDelay;
        }

        return dues;
    }

    /// <summary>
    /// The database's size, and rows and size of every table that holds anything (whichever tables
    /// the product keeps its grain state and reminders in), plus the webhooks still InProgress.
    /// </summary>
    private static async Task<Dictionary<string, object?>> DatabaseFactsAsync(NpgsqlDataSource dataSource)
    {
        var tables = new List<(string Name, long Bytes)>();
        await using (var list = dataSource.CreateCommand(
            """
            SELECT c.relname, pg_total_relation_size(c.oid)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
             ORDER BY 2 DESC
            """))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var perTable = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, bytes) in tables)
        {
            var rows = await CountAsync(dataSource, $"SELECT count(*) FROM \"{name}\"");
            if (rows > 0)
            {
                perTable[name] = new Dictionary<string, object?> { ["rows"] = rows, ["MiB"] = Round(bytes / 1048576.0) };
            }
        }

        return new Dictionary<string, object?>
        {
            ["databaseMiB"] = Round(await CountAsync(dataSource, "SELECT pg_database_size(current_database())") / 1048576.0),
            ["inProgress"] = await CountAsync(dataSource, "SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL AND status = 0"),
            ["tables"] = perTable,
        };
    }

    private static Dictionary<string, object?> Summary(List<double> values, int? failures = null)
    {
        var sorted = values.Order().ToList();
        double Pick(double percentile) => sorted.Count == 0 ? 0 : Round(Percentiles.Of(sorted, percentile));
        var summary = new Dictionary<string, object?>
        {
            ["count"] = sorted.Count,
            ["p50"] = Pick(50),
            ["p90"] = Pick(90),
            ["p99"] = Pick(99),
            ["max"] = Pick(100),
        };
        if (failures is not null)
        {
            summary["failures"] = failures;
        }

        return summary;
    }

    /// <summary>Counts of lateness in coarse bands: on time, reminder-tick late, one watchdog period late, worse.</summary>
    private static Dictionary<string, int> Histogram(List<double> latenessSeconds)
    {
        double[] edges = [1, 5, 15, 30, 60, 90, 120];
        var histogram = new Dictionary<string, int>(StringComparer.Ordinal);
        var lower = double.MinValue;
        foreach (var upper in edges)
        {
            var from = lower;
            histogram[lower == double.MinValue ? $"<{upper}s" : $"{lower}-{upper}s"] = latenessSeconds.Count(l => l >= from && l < upper);
            lower = upper;
        }

        histogram[$">={lower}s"] = latenessSeconds.Count(l => l >= lower);
        return histogram;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static double Round(double value) => double.IsNaN(value) ? 0 : Math.Round(value, 2);
}
