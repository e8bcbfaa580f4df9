using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Npgsql;
using NpgsqlTypes;
using CIOPulse.Persistence.Postgres;

namespace CIOPulse.Bench;

/// <summary>
/// The Webhook Log listing of one account with a large log (1,000,000 webhooks by default): bulk-loads
/// a fresh, migrated database with realistic rows and some closed row versions, then times pages
/// through the product's <see cref="PostgresWebhookLogStore"/> directly and through the HTTP API of a
/// silo process on that database: the first page, a page deep in a pass (cursor ~90 % down), the
/// first page filtered by status and by listening post, and the hundredth page without and with the
/// status filter, reached as a user paging Older reaches it: the next cursor followed 99 times from
/// the first page (the API's own cursors through HTTP). Prints one JSON line; EXPLAIN ANALYZE of each
/// case goes to stderr with <c>--explain true</c>.
/// </summary>
public static class LogListingBenchmark
{
    private const string SystemKey = "bench-system-key-0123456789";
    private const string Account = "bench";

    private static readonly string[] Cases = ["first", "deep", "failed", "relationship", "page-100", "failed-page-100"];

    /// <summary>The page the target of issue 15 names besides the first: pages 2..100 are 99 steps.</summary>
    private const int DeepPage = 100;

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var rows = int.Parse(options.GetValueOrDefault("rows", "1000000"), CultureInfo.InvariantCulture);
        var iterations = int.Parse(options.GetValueOrDefault("iterations", "2000"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.GetValueOrDefault("warmup", "100"), CultureInfo.InvariantCulture);
        var limit = int.Parse(options.GetValueOrDefault("limit", "50"), CultureInfo.InvariantCulture);
        var deepFraction = double.Parse(options.GetValueOrDefault("deep", "0.9"), CultureInfo.InvariantCulture);
        var closedEvery = int.Parse(options.GetValueOrDefault("closed-every", "20"), CultureInfo.InvariantCulture);
        var explain = options.GetValueOrDefault("explain", "false") == "true";
        var keepDatabase = options.GetValueOrDefault("keep-db", "false") == "true";
        var walks = int.Parse(options.GetValueOrDefault("walks", "5"), CultureInfo.InvariantCulture);
        var siloDll = options.GetValueOrDefault("silo-dll", "src/Silo/bin/Release/net10.0/CIOPulse.Silo.dll");
        await using var database = await BenchDatabase.CreateAsync(options, "log-listing");
        database.Keep = keepDatabase;
        var connectionString = database.ConnectionString;
        await MigrateAsync(siloDll, connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var load = await LoadAsync(dataSource, rows, closedEvery);
        var sizes = await SizesAsync(dataSource);
        var failedRows = (long)(await ScalarAsync(dataSource,
            $"SELECT count(*) FROM webhook_log WHERE account_id = '{Account}' AND replaced_xid IS NULL AND status = {(int)WebhookStatus.Failed}"))!;
        if (failedRows <= (long)(DeepPage - 1) * limit)
        {
            throw new InvalidOperationException($"{failedRows} Failed rows do not fill {DeepPage} pages of {limit}: load more rows");
        }

        await using var commits = new PostgresGroupCommit(dataSource);
        var store = new PostgresWebhookLogStore(commits, TimeProvider.System);
        var first = await store.ReadAsync(Account, new WebhookLogFilter(null, null), null, limit);
        var snapshot = first.Next?.Snapshot ?? throw new InvalidOperationException("the first page has no next cursor: too few rows");
        var deepOffset = (int)(rows * deepFraction);
        var (deepActivity, deepId) = await RowAtAsync(dataSource, deepOffset);
        var deep = new WebhookLogPosition(snapshot, DateTime.UtcNow, deepActivity, deepId);

        var all = new WebhookLogFilter(null, null);
        var failed = new WebhookLogFilter(WebhookStatus.Failed, null);
        var storeWalk = await WalkStoreAsync(dataSource, store, all, null, walks, limit);
        var storeFailedWalk = await WalkStoreAsync(dataSource, store, failed, WebhookStatus.Failed, walks, limit);
        var page100 = storeWalk.Position;
        var failedPage100 = storeFailedWalk.Position;

        var storeCases = new Dictionary<string, Func<Task<int>>>
        {
            ["first"] = async () => (await store.ReadAsync(Account, new WebhookLogFilter(null, null), null, limit)).Items.Count,
            ["deep"] = async () => (await store.ReadAsync(Account, new WebhookLogFilter(null, null), deep, limit)).Items.Count,
            ["failed"] = async () => (await store.ReadAsync(Account, new WebhookLogFilter(WebhookStatus.Failed, null), null, limit)).Items.Count,
            ["relationship"] = async () => (await store.ReadAsync(Account, new WebhookLogFilter(null, ListeningPost.Relationship), null, limit)).Items.Count,
            ["page-100"] = async () => (await store.ReadAsync(Account, all, page100, limit)).Items.Count,
            ["failed-page-100"] = async () => (await store.ReadAsync(Account, failed, failedPage100, limit)).Items.Count,
        };
        var storeTimes = await MeasureAsync(storeCases, warmup, iterations, limit);

        var plans = new Dictionary<string, object?>();
        var planParameters = new Dictionary<string, (WebhookLogPosition? Position, short? Status, short? Post)>
        {
            ["first"] = (null, null, null),
            ["deep"] = (deep, null, null),
            ["failed"] = (null, (short)WebhookStatus.Failed, null),
            ["relationship"] = (null, null, (short)ListeningPost.Relationship),
            ["page-100"] = (page100, null, null),
            ["failed-page-100"] = (failedPage100, (short)WebhookStatus.Failed, null),
        };
        foreach (var (name, (position, status, post)) in planParameters)
        {
            plans[name] = await ExplainAsync(dataSource, position, status, post, limit, explain ? name : null);
        }

        var (apiTimes, apiWalks, siloRss) = await MeasureApiAsync(siloDll, connectionString, deep, warmup, iterations, limit, walks);

        var result = new Dictionary<string, object?>
        {
            ["label"] = options.GetValueOrDefault("label", ""),
            ["benchmark"] = "log-listing",
            ["rows"] = rows,
            ["closedVersions"] = load.Closed,
            ["limit"] = limit,
            ["iterations"] = iterations,
            ["deepOffset"] = deepOffset,
            ["failedRows"] = failedRows,
            ["walks"] = walks,
            ["loadSeconds"] = Round(load.InsertSeconds + load.VacuumSeconds),
            ["insertSeconds"] = Round(load.InsertSeconds),
            ["vacuumAnalyzeSeconds"] = Round(load.VacuumSeconds),
            ["tableMiB"] = Round(sizes.Table / 1048576.0),
            ["indexesMiB"] = Round(sizes.Indexes / 1048576.0),
            ["totalMiB"] = Round(sizes.Total / 1048576.0),
            ["storeMs"] = storeTimes,
            ["apiMs"] = apiTimes,
            ["walkMs"] = new Dictionary<string, object?>
            {
                ["store"] = storeWalk.Steps,
                ["store-failed"] = storeFailedWalk.Steps,
                ["api"] = apiWalks.All,
                ["api-failed"] = apiWalks.Failed,
            },
            ["plans"] = plans,
            ["siloRssMiB"] = Round(siloRss / 1048576.0),
            ["postgres"] = await ScalarAsync(dataSource, "SELECT current_setting('server_version') || ', shared_buffers ' || current_setting('shared_buffers')"),
            ["loadAverage"] = File.ReadAllText("/proc/loadavg").Trim(),
            ["machine"] = $"{Environment.ProcessorCount} cores",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions));

        return 0;
    }

    private sealed record LoadResult(double InsertSeconds, double VacuumSeconds, long Closed);

    /// <summary>
    /// One account's log: webhooks over the last 30 days, 80 % Transactional, mostly Succeeded, 2 %
    /// Failed, InProgress only within the retry window (75 minutes); then every Nth webhook replaced
    /// once (its old version closed, as a retry that succeeded does), then VACUUM ANALYZE.
    /// </summary>
    private static async Task<LoadResult> LoadAsync(NpgsqlDataSource dataSource, int rows, int closedEvery)
    {
        var start = Stopwatch.GetTimestamp();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using (var seed = new NpgsqlCommand("SELECT setseed(0.42)", connection))
            {
                await seed.ExecuteNonQueryAsync();
            }

            // Ids: g times an odd constant, in hex, so they are unique, 13 characters and not in g's order.
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status)
                SELECT id, $1, 'resp-' || g, post, activity,
                       CASE status WHEN 1 THEN 200
                                   WHEN 2 THEN CASE WHEN c < 0.6 THEN 500 WHEN c < 0.8 THEN 404 END
                                   ELSE CASE WHEN c < 0.5 THEN 503 END END,
                       CASE status WHEN 1 THEN CASE WHEN c < 0.7 THEN 'OK' ELSE '{"result":"accepted","id":"' || g || '"}' END
                                   WHEN 2 THEN CASE WHEN c < 0.6 THEN 'Internal Server Error' WHEN c < 0.8 THEN 'Not Found'
                                                    ELSE 'Connection refused (hooks.customer.example:443)' END
                                   ELSE CASE WHEN c < 0.5 THEN 'Service Unavailable' ELSE 'The attempt timed out after 30 s' END END,
                       CASE status WHEN 1 THEN 1 + (c < 0.1)::int + (c < 0.03)::int WHEN 2 THEN 5 ELSE 1 + floor(c * 4)::int END,
                       status
                  FROM (SELECT g, id, post, activity, c,
                               (CASE WHEN activity > now() - interval '75 minutes' AND s < 0.5 THEN 0
                                     WHEN s < 0.02 THEN 2 ELSE 1 END)::smallint AS status
                          FROM (SELECT g, lpad(to_hex(g::bigint * 2654435761), 13, '0') AS id,
                                       (random() < 0.2)::int::smallint AS post,
                                       now() - random() * interval '30 days' AS activity,
                                       random() AS s, random() AS c
                                  FROM generate_series(1, $2) g) r) x
                """,
                connection);
            insert.CommandTimeout = 0;
            insert.Parameters.Add(new() { Value = Account });
            insert.Parameters.Add(new() { Value = rows });
            await insert.ExecuteNonQueryAsync();
        }

        long closed;
        await using (var replace = dataSource.CreateCommand(
            """
            WITH closed AS (
                UPDATE webhook_log
                   SET replaced_xid = pg_current_xact_id(), replaced_at = now() - random() * interval '60 minutes',
                       status = 0, last_response_code = 503, last_response = 'Service Unavailable',
                       last_activity = last_activity - (5 + random() * 35) * interval '1 minute'
                 WHERE account_id = $1 AND replaced_xid IS NULL AND substr(response_id, 6)::int % $2 = 0
                RETURNING *),
            added AS (
                INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status)
                SELECT c.webhook_id, c.account_id, c.response_id, c.listening_post, c.last_activity + (5 + random() * 35) * interval '1 minute',
                       200, 'OK', c.attempts + 1, 1
                  FROM closed c
                RETURNING 1)
            SELECT count(*) FROM added
            """))
        {
            replace.CommandTimeout = 0;
            replace.Parameters.Add(new() { Value = Account });
            replace.Parameters.Add(new() { Value = closedEvery });
            closed = (long)(await replace.ExecuteScalarAsync())!;
        }

        var inserted = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var vacuumStart = Stopwatch.GetTimestamp();
        await using (var vacuum = dataSource.CreateCommand("VACUUM ANALYZE webhook_log"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }

        return new LoadResult(inserted, Stopwatch.GetElapsedTime(vacuumStart).TotalSeconds, closed);
    }

    private static async Task<(long Table, long Indexes, long Total)> SizesAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT pg_table_size('webhook_log'), pg_indexes_size('webhook_log'), pg_total_relation_size('webhook_log')");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Where a walk ended (the cursor of page <see cref="DeepPage"/>) and the times of its steps.</summary>
    private sealed record StoreWalk(WebhookLogPosition Position, Dictionary<string, double> Steps);

    /// <summary>
    /// Pages Older from the first page to page <see cref="DeepPage"/>, once untimed (the warm-up) and
    /// then <paramref name="walks"/> times, timing every step after the first page (99 per walk);
    /// checks that the last walk's page starts where an OFFSET query says it must, so the position
    /// measured afterwards is the honest one.
    /// </summary>
    private static async Task<StoreWalk> WalkStoreAsync(
        NpgsqlDataSource dataSource, PostgresWebhookLogStore store, WebhookLogFilter filter, WebhookStatus? status, int walks, int limit)
    {
        var steps = new List<double>(walks * (DeepPage - 1));
        WebhookLogPosition? position = null;
        WebhookLogSlice? slice = null;
        for (var walk = 0; walk <= walks; walk++)
        {
            slice = await store.ReadAsync(Account, filter, null, limit);
            for (var page = 2; page <= DeepPage; page++)
            {
                position = slice.Next ?? throw new InvalidOperationException($"page {page - 1} has no next cursor");
                var t0 = Stopwatch.GetTimestamp();
                slice = await store.ReadAsync(Account, filter, position, limit);
                if (walk > 0)
                {
                    steps.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                if (slice.Items.Count != limit)
                {
                    throw new InvalidOperationException($"page {page} has {slice.Items.Count} items");
                }
            }
        }

        var expected = await RowAtAsync(dataSource, (DeepPage - 1) * limit, status);
        if (slice!.Items[0].WebhookId != expected.Id)
        {
            throw new InvalidOperationException($"page {DeepPage} starts at {slice.Items[0].WebhookId}, the listing's row {(DeepPage - 1) * limit} is {expected.Id}");
        }

        return new StoreWalk(position!, Summary(steps));
    }

    /// <summary>The sort key of the current row <paramref name="offset"/> rows down the account's listing (of that status, if given).</summary>
    private static async Task<(DateTime Activity, string Id)> RowAtAsync(NpgsqlDataSource dataSource, int offset, WebhookStatus? status = null)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT last_activity, webhook_id FROM webhook_log
             WHERE account_id = $1 AND replaced_xid IS NULL AND ($3::smallint IS NULL OR status = $3)
             ORDER BY last_activity DESC, webhook_id DESC OFFSET $2 LIMIT 1
            """);
        command.CommandTimeout = 0;
        command.Parameters.Add(new() { Value = Account });
        command.Parameters.Add(new() { Value = offset });
        command.Parameters.Add(new() { Value = status is { } s ? (short)s : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException($"no row at offset {offset}");
        }

        return (DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetString(1));
    }

    /// <summary>
    /// Times each case <paramref name="iterations"/> times, round-robin, so that noise from the shared
    /// machine falls on every case alike. Every call must return a full page.
    /// </summary>
    private static Task<Dictionary<string, Dictionary<string, double>>> MeasureAsync(
        Dictionary<string, Func<Task<int>>> cases, int warmup, int iterations, int limit) =>
        MeasureAsync(cases, warmup, iterations, _ => limit);

    private static async Task<Dictionary<string, Dictionary<string, double>>> MeasureAsync(
        Dictionary<string, Func<Task<int>>> cases, int warmup, int iterations, Func<string, int> expected)
    {
        foreach (var (name, run) in cases)
        {
            for (var i = 0; i < warmup; i++)
            {
                var count = await run();
                if (count != expected(name))
                {
                    throw new InvalidOperationException($"case {name} returned {count} items, not {expected(name)}");
                }
            }
        }

        var samples = cases.Keys.ToDictionary(name => name, _ => new List<double>(iterations), StringComparer.Ordinal);
        for (var i = 0; i < iterations; i++)
        {
            foreach (var (name, run) in cases)
            {
                var t0 = Stopwatch.GetTimestamp();
                var count = await run();
                samples[name].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                if (count != expected(name))
                {
                    throw new InvalidOperationException($"case {name} returned {count} items, not {expected(name)}");
                }
            }
        }

        return samples.ToDictionary(kv => kv.Key, kv => Summary(kv.Value), StringComparer.Ordinal);
    }

    private static Dictionary<string, double> Summary(List<double> values)
    {
        var sorted = values.Order().ToList();
        return new Dictionary<string, double>
        {
            ["p50"] = Round(Percentiles.Of(sorted, 50)),
            ["p95"] = Round(Percentiles.Of(sorted, 95)),
            ["p99"] = Round(Percentiles.Of(sorted, 99)),
            ["max"] = Round(sorted.Count > 0 ? sorted[^1] : double.NaN),
        };
    }

    /// <summary>The same cases end to end: a silo process on the loaded database, GET webhook-log with the system key.</summary>
    private static async Task<(Dictionary<string, Dictionary<string, double>> Times, (Dictionary<string, double> All, Dictionary<string, double> Failed) Walks, long PeakRss)> MeasureApiAsync(
        string siloDll, string connectionString, WebhookLogPosition deep, int warmup, int iterations, int limit, int walks)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Api:SystemKey"] = SystemKey,
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Orleans:SiloPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchSupport.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var service = await ServiceProcess.StartAsync(siloDll, settings, BenchSupport.FreePort());
        using var http = new HttpClient { BaseAddress = service.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", SystemKey);
        (await http.PutAsJsonAsync("api/v1/accounts/bench", new { name = "Bench", plan = "Enterprise" })).EnsureSuccessStatusCode();

        // The cursor as the API would have issued it for this position (dated now, so it has not expired).
        var cursor = WebhookLogCursor.Encode(deep with { SnapshotUtc = DateTime.UtcNow });
        var firstPath = $"api/v1/accounts/{Account}/webhook-log?limit={limit}";
        var failedPath = $"api/v1/accounts/{Account}/webhook-log?limit={limit}&status=Failed";

        // The hundredth pages through the cursors the API itself hands out, paging Older from the first.
        var (page100Cursor, walkTimes) = await WalkApiAsync(http, firstPath, walks, limit);
        var (failedPage100Cursor, failedWalkTimes) = await WalkApiAsync(http, failedPath, walks, limit);
        var paths = new Dictionary<string, string>
        {
            ["first"] = firstPath,
            ["deep"] = $"{firstPath}&cursor={Uri.EscapeDataString(cursor)}",
            ["failed"] = failedPath,
            ["relationship"] = $"api/v1/accounts/{Account}/webhook-log?limit={limit}&listeningPost=Relationship",
            ["page-100"] = $"{firstPath}&cursor={Uri.EscapeDataString(page100Cursor)}",
            ["failed-page-100"] = $"{failedPath}&cursor={Uri.EscapeDataString(failedPage100Cursor)}",
        };
        var cases = Cases.ToDictionary(name => name, name => (Func<Task<int>>)(async () => (await GetPageAsync(http, paths[name])).Count), StringComparer.Ordinal);
        var times = await MeasureAsync(cases, warmup, iterations, limit);
        times = times.Concat(await MeasurePortalAsync(http, service.BaseUri, cursor, warmup, iterations)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return (times, (walkTimes, failedWalkTimes), service.PeakRssBytes());
    }

    /// <summary>
    /// GETs <paramref name="firstPath"/>, then follows each answer's nextCursor to page
    /// <see cref="DeepPage"/>, once untimed (the warm-up) and then <paramref name="walks"/> times;
    /// returns the cursor that page was read with and the times of the 99 steps of each timed walk.
    /// </summary>
    private static async Task<(string Cursor, Dictionary<string, double> Steps)> WalkApiAsync(HttpClient http, string firstPath, int walks, int limit)
    {
        var steps = new List<double>(walks * (DeepPage - 1));
        string? cursor = null;
        for (var walk = 0; walk <= walks; walk++)
        {
            var (count, next) = await GetPageAsync(http, firstPath);
            for (var page = 2; page <= DeepPage; page++)
            {
                cursor = next ?? throw new InvalidOperationException($"page {page - 1} has no nextCursor");
                var t0 = Stopwatch.GetTimestamp();
                (count, next) = await GetPageAsync(http, $"{firstPath}&cursor={Uri.EscapeDataString(cursor)}");
                if (walk > 0)
                {
                    steps.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }

                if (count != limit)
                {
                    throw new InvalidOperationException($"page {page} has {count} items");
                }
            }
        }

        return (cursor!, Summary(steps));
    }

    /// <summary>
    /// The portal's Webhook Log page with 500 rows, as a signed-in administrator loads it (the whole
    /// HTML, the chart's hourly counts included): first page, deep in a pass, filtered by status, and
    /// a search by Response_ID (one row).
    /// </summary>
    private static async Task<Dictionary<string, Dictionary<string, double>>> MeasurePortalAsync(
        HttpClient api, Uri baseUri, string deepCursor, int warmup, int iterations)
    {
        const int PortalLimit = 500;
        using var issued = await api.PostAsync(new Uri($"api/v1/accounts/{Account}/keys", UriKind.Relative), null);
        issued.EnsureSuccessStatusCode();
        using var keyJson = JsonDocument.Parse(await issued.Content.ReadAsStringAsync());
        using var portal = await PortalSession.SignInAsync(baseUri, keyJson.RootElement.GetProperty("key").GetString()!);
        var paths = new Dictionary<string, (string Path, int Rows)>
        {
            ["portal-first-500"] = ($"portal/log?limit={PortalLimit}", PortalLimit),
            ["portal-deep-500"] = ($"portal/log?limit={PortalLimit}&page=1800&cursor={Uri.EscapeDataString(deepCursor)}", PortalLimit),
            ["portal-failed-500"] = ($"portal/log?limit={PortalLimit}&status=Failed", PortalLimit),
            ["portal-search"] = ("portal/log?search=resp-123457", 1),
        };

        // A 500-row page costs ten times a 50-row one: a tenth of the iterations gives the same run time.
        var cases = paths.ToDictionary(p => p.Key, p => (Func<Task<int>>)(() => GetPortalPageAsync(portal, p.Value.Path)), StringComparer.Ordinal);
        return await MeasureAsync(cases, Math.Max(20, warmup / 2), Math.Max(50, iterations / 10), name => paths[name].Rows);
    }

    /// <summary>Loads a portal page and counts its log rows.</summary>
    private static async Task<int> GetPortalPageAsync(HttpClient portal, string path)
    {
        using var response = await portal.GetAsync(new Uri(path, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}");
        }

        // Rows of the table (the row template inside <template> carries the placeholder id).
        return html.Split("<tr id=\"row-").Length - 2;
    }

    private static async Task<(int Count, string? NextCursor)> GetPageAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        var next = json.RootElement.GetProperty("nextCursor");
        return (json.RootElement.GetProperty("items").GetArrayLength(), next.ValueKind == JsonValueKind.String ? next.GetString() : null);
    }

    /// <summary>
    /// EXPLAIN (ANALYZE, BUFFERS) of the product's own page query with the parameters the store binds;
    /// returns the facts that explain its cost (index, rows read and discarded, pages touched, time).
    /// </summary>
    private static async Task<Dictionary<string, object?>> ExplainAsync(
        NpgsqlDataSource dataSource, WebhookLogPosition? position, short? status, short? post, int limit, string? printName)
    {
        var pageSql = typeof(PostgresWebhookLogStore).GetField("Page", BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string;
        if (pageSql is null)
        {
            return new Dictionary<string, object?> { ["error"] = "PostgresWebhookLogStore.Page not found" };
        }

        await using var command = dataSource.CreateCommand("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + pageSql);
        command.Parameters.Add(new() { Value = Account });
        command.Parameters.Add(new() { Value = (object?)position?.Snapshot ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)position?.AfterLastActivityUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)position?.AfterWebhookId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = (object?)post ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        var json = (string)(await command.ExecuteScalarAsync())!;
        if (printName is not null)
        {
            Console.Error.WriteLine($"--- EXPLAIN {printName}\n{json}");
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement[0];
        var nodes = Flatten(root.GetProperty("Plan")).ToList();
        var scan = nodes.FirstOrDefault(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "webhook_log");
        double Number(JsonElement node, string name) => node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var value) ? value.GetDouble() : 0;
        return new Dictionary<string, object?>
        {
            ["nodes"] = string.Join(" > ", nodes.Select(n => n.GetProperty("Node Type").GetString())),
            ["index"] = scan.ValueKind == JsonValueKind.Object && scan.TryGetProperty("Index Name", out var index) ? index.GetString() : null,
            ["rows"] = Number(scan, "Actual Rows"),
            ["removedByFilter"] = Number(scan, "Rows Removed by Filter"),
            ["sharedHit"] = Number(scan, "Shared Hit Blocks"),
            ["sharedRead"] = Number(scan, "Shared Read Blocks"),
            ["planningMs"] = Round(root.GetProperty("Planning Time").GetDouble()),
            ["executionMs"] = Round(root.GetProperty("Execution Time").GetDouble()),
        };
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Flatten))
            {
                yield return child;
            }
        }
    }

    /// <summary>The silo's own migration step (<c>CIOPulse.Silo migrate</c>), so the schema is exactly the product's.</summary>
    private static async Task MigrateAsync(string siloDll, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(siloDll);
        start.ArgumentList.Add("migrate");
        start.ArgumentList.Add($"--ConnectionStrings:Postgres={connectionString}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo to migrate");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"migrate failed ({process.ExitCode}):\n{await output}\n{await errors}");
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    private static double Round(double value) => double.IsNaN(value) ? double.NaN : Math.Round(value, 2);
}
