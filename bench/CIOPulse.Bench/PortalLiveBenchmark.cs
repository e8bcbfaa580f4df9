using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CIOPulse.Bench;

/// <summary>
/// How fast the portal's live Webhook Log keeps up: one signed-in page's event stream
/// (<c>GET /portal/live</c>) open while completions are posted through the API (Basic auth on,
/// comments that need escaping), as fast as <c>--concurrency</c> allows. Reports deliveries per
/// second at the receiver, rows and events per second on the stream, how long after its 202 each
/// webhook showed as Succeeded on the page, and how many never did. Prints one JSON line.
/// </summary>
public static class PortalLiveBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";
    private const string Account = "live";

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var mode = options.GetValueOrDefault("mode", "embedded");
        var completions = int.Parse(options.GetValueOrDefault("completions", "20000"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(options.GetValueOrDefault("concurrency", "32"), CultureInfo.InvariantCulture);

        // false: the control, the same load with no page open.
        var watch = options.GetValueOrDefault("watch", "true") != "false";
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");
        await using var database = mode == "postgres" ? await BenchDatabase.CreateAsync(options, "portal-live --mode postgres") : null;

        var settings = new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SystemKey,
            ["Webhooks:AllowPrivateNetworks"] = "true",
            // One account at the service's capacity: its per-account intake limit would be the figure measured.
            ["Api:RateLimits:CompletionsPerSecond"] = "0",
            ["Orleans:SiloPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (database is not null)
        {
            settings["ConnectionStrings:Postgres"] = database.ConnectionString;
            settings["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            settings["Orleans:AdvertisedIPAddress"] = "127.0.0.1";
        }

        await using var receiver = await BenchReceiver.StartAsync(failFirst: 0);
        await using var service = await ServiceProcess.StartAsync(siloDll, settings, BenchSupport.FreePort());
        using var api = new HttpClient { BaseAddress = service.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
        (await api.PutAsJsonAsync($"api/v1/accounts/{Account}", new { name = "Live", plan = "Enterprise" })).EnsureSuccessStatusCode();
        (await api.PutAsJsonAsync($"api/v1/accounts/{Account}/webhook-settings",
            new { enabled = true, url = receiver.Url.ToString(), username = "bench", password = "bench-secret" })).EnsureSuccessStatusCode();

        using var portal = await PortalSession.SignInAsync(service.BaseUri, SystemKey, Account, Timeout.InfiniteTimeSpan);
        using var stop = new CancellationTokenSource();
        var stream = new LiveStream();
        var reading = watch ? stream.ReadAsync(portal, stop.Token) : Task.CompletedTask;
        if (watch)
        {
            await stream.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        }

        // Warm up the service and the page (JIT, connections), then measure.
        await PostAllAsync(api, "warm", 1000, concurrency, new ConcurrentDictionary<string, long>());
        await WaitAsync(() => receiver.Delivered.Count >= 1000 && (!watch || stream.SucceededCount >= 1000), TimeSpan.FromSeconds(60));
        var rowsBefore = stream.Rows;
        var eventsBefore = stream.Events;
        var bytesBefore = stream.Bytes;
        var cpuBefore = service.CpuSeconds();

        var accepted = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var start = Stopwatch.GetTimestamp();
        await PostAllAsync(api, "r", completions, concurrency, accepted);
        var allShown = await WaitAsync(() => accepted.Keys.All(watch ? stream.SucceededAt.ContainsKey : receiver.Delivered.ContainsKey), TimeSpan.FromSeconds(120));
        var lastShown = accepted.Keys.Select(id => stream.SucceededAt.GetValueOrDefault(id)).DefaultIfEmpty(0).Max();
        var lastDelivered = accepted.Keys.Select(id => receiver.Delivered.GetValueOrDefault(id)).DefaultIfEmpty(0).Max();
        var window = Stopwatch.GetElapsedTime(start, Math.Max(lastShown, lastDelivered)).TotalSeconds;
        var cpu = service.CpuSeconds() - cpuBefore;
        stop.Cancel();
        try
        {
            await reading;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            // The stream was closed on purpose.
        }

        var lags = accepted.Where(a => stream.SucceededAt.ContainsKey(a.Key))
            .Select(a => Stopwatch.GetElapsedTime(a.Value, stream.SucceededAt[a.Key]).TotalMilliseconds).Order().ToList();
        var delivered = accepted.Keys.Count(receiver.Delivered.ContainsKey);
        var result = new Dictionary<string, object?>
        {
            ["label"] = options.GetValueOrDefault("label", ""),
            ["benchmark"] = "portal-live",
            ["mode"] = mode,
            ["pageOpen"] = watch,
            ["completions"] = completions,
            ["concurrency"] = concurrency,
            ["accepted"] = accepted.Count,
            ["delivered"] = delivered,
            ["deliveredPerSecond"] = Round(delivered / window),
            ["rowsOnStream"] = stream.Rows - rowsBefore,
            ["rowsPerSecond"] = Round((stream.Rows - rowsBefore) / window),
            ["eventsPerSecond"] = Round((stream.Events - eventsBefore) / window),
            ["streamKiBPerSecond"] = Round((stream.Bytes - bytesBefore) / 1024.0 / window),
            ["shownSucceeded"] = lags.Count,
            ["neverShown"] = watch ? accepted.Count - lags.Count : null,
            ["allShownWithin120s"] = allShown,
            ["acceptedToShownMs"] = lags.Count == 0 ? null : new Dictionary<string, double>
            {
                ["p50"] = Round(Percentiles.Of(lags, 50)),
                ["p95"] = Round(Percentiles.Of(lags, 95)),
                ["p99"] = Round(Percentiles.Of(lags, 99)),
                ["max"] = Round(lags.Count > 0 ? lags[^1] : double.NaN),
            },
            ["siloCpuMsPerDelivery"] = Round(cpu * 1000 / Math.Max(1, delivered)),
            ["windowSeconds"] = Round(window),
            ["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim(),
            ["machine"] = $"{Environment.ProcessorCount} cores",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Posts <paramref name="count"/> completions, <paramref name="concurrency"/> at a time; records each 202's time by webhook id.</summary>
    private static async Task PostAllAsync(HttpClient api, string prefix, int count, int concurrency, ConcurrentDictionary<string, long> accepted)
    {
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                using var content = new StringContent(BenchSupport.CompletionBody($"{prefix}-{i}", i % 11), Encoding.UTF8, "application/json");
                using var response = await api.PostAsync(new Uri($"api/v1/accounts/{Account}/survey-completions", UriKind.Relative), content);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"completion {i} answered {(int)response.StatusCode}");
                }

                using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
                accepted[json.RootElement.GetProperty("webhookId").GetString()!] = Stopwatch.GetTimestamp();
            }
        });
        await Task.WhenAll(workers);
    }

    private static async Task<bool> WaitAsync(Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 2) : double.NaN;

    /// <summary>The page's side: reads the event stream as EventSource would, and notes when each webhook first showed as Succeeded.</summary>
    private sealed class LiveStream
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _rows;
        private long _events;
        private long _bytes;

        public Task Ready => _ready.Task;

        public ConcurrentDictionary<string, long> SucceededAt { get; } = new(StringComparer.Ordinal);

        public int SucceededCount => SucceededAt.Count;

        public long Rows => Interlocked.Read(ref _rows);

        public long Events => Interlocked.Read(ref _events);

        public long Bytes => Interlocked.Read(ref _bytes);

        public async Task ReadAsync(HttpClient portal, CancellationToken cancellationToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("portal/live", UriKind.Relative));
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await portal.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            var eventType = "";
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                Interlocked.Add(ref _bytes, line.Length + 1);
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventType = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    Handle(eventType, line[6..]);
                }
            }
        }

        private void Handle(string eventType, string data)
        {
            if (eventType == "ready")
            {
                _ready.TrySetResult();
                return;
            }

            if (eventType != "rows")
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _events);
            using var json = JsonDocument.Parse(data);
            foreach (var row in json.RootElement.EnumerateArray())
            {
                Interlocked.Increment(ref _rows);
                if (row.GetProperty("status").GetString() == "Succeeded")
                {
                    SucceededAt.TryAdd(row.GetProperty("webhookId").GetString()!, now);
                }
            }
        }
    }
}
