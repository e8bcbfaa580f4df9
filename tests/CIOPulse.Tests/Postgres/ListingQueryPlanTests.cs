using System.Globalization;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using NpgsqlTypes;
using CIOPulse.Persistence.Postgres;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The listing reads a page through a <c>webhook_log_listing*</c> index, stopping after the page,
/// however large the account's log: no sort of the account's rows, first page or deep in a pass.
/// </summary>
public sealed class ListingQueryPlanTests(ListingQueryPlanTests.LargeLogFixture log) : IClassFixture<ListingQueryPlanTests.LargeLogFixture>
{
    private const string Account = "acme";
    private const int Rows = 20_000;
    private const int Limit = 50;

    // Far more than one page (plus its look-ahead row and those the other filter skips), far less than the table.
    private const int MaxRowsRead = 1_000;

    private static readonly DateTime _t0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The product's page query itself, so the test follows any change to it.</summary>
    private static readonly string _pageSql = QueryPlans.Statement(typeof(PostgresWebhookLogStore), "Page");

    [Theory]
    [InlineData(null, null, "webhook_log_listing")]
    [InlineData((short)2, null, "webhook_log_listing_status")]
    [InlineData(null, (short)1, "webhook_log_listing_post")]
    [InlineData((short)2, (short)1, "webhook_log_listing_status|webhook_log_listing_post")]
    public async Task The_first_page_reads_a_listing_index_in_order_without_sorting(short? status, short? post, string index)
    {
        var plan = await ExplainAsync(snapshot: null, after: null, status, post);

        AssertReadsPageFromIndex(plan, index);
    }

    [Theory]
    [InlineData(null, null, "webhook_log_listing")]
    [InlineData((short)2, null, "webhook_log_listing_status")]
    [InlineData(null, (short)1, "webhook_log_listing_post")]
    [InlineData((short)2, (short)1, "webhook_log_listing_status|webhook_log_listing_post")]
    public async Task A_page_deep_in_a_pass_reads_a_listing_index_from_the_cursor_without_sorting(short? status, short? post, string index)
    {
        // Three quarters of the way down: 15,000 newer rows lie before the cursor.
        var after = (_t0.AddSeconds(Rows / 4), Id(Rows / 4));

        var plan = await ExplainAsync(log.Snapshot, after, status, post);

        AssertReadsPageFromIndex(plan, index);
    }

    [Theory]
    [InlineData("r-12345", false)]
    [InlineData("0000000003039", true)] // a Webhook_ID (and a Response_ID alike)
    public async Task A_search_finds_its_rows_by_index_without_reading_the_account_s_log(string search, bool webhookIdShaped)
    {
        var plan = await ExplainAsync(snapshot: null, after: null, status: null, post: null, search, webhookIdShaped);

        var nodes = QueryPlans.Nodes(plan).ToList();
        var description = string.Join(" > ", nodes.Select(n => n.GetProperty("Node Type").GetString()));
        Assert.DoesNotContain(nodes, n => n.GetProperty("Node Type").GetString() == "Seq Scan");
        var indexes = nodes.Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()).ToList();
        Assert.Contains("webhook_log_response", indexes);
        Assert.DoesNotContain(indexes, name => name!.StartsWith("webhook_log_listing", StringComparison.Ordinal));
        var read = nodes.Where(n => n.TryGetProperty("Relation Name", out _)).Sum(n => n.GetProperty("Actual Rows").GetDouble());
        Assert.True(read <= 10, $"The search read {read} rows ({description}).");
        Assert.Equal(1, plan.GetProperty("Actual Rows").GetDouble());
    }

    private static void AssertReadsPageFromIndex(JsonElement plan, string index)
    {
        var nodes = QueryPlans.Nodes(plan).ToList();
        var types = nodes.Select(n => n.GetProperty("Node Type").GetString()).ToList();
        var description = string.Join(" > ", types);

        Assert.DoesNotContain("Sort", types);
        Assert.DoesNotContain("Incremental Sort", types);
        Assert.DoesNotContain("Seq Scan", types);
        Assert.DoesNotContain("Bitmap Heap Scan", types);

        var scans = nodes.Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "webhook_log").ToList();
        var scan = Assert.Single(scans);
        Assert.Contains(scan.GetProperty("Node Type").GetString(), new[] { "Index Scan", "Index Only Scan" });
        Assert.Contains(scan.GetProperty("Index Name").GetString(), index.Split('|')); // the index, or one of the alternatives
        Assert.Equal("Backward", scan.GetProperty("Scan Direction").GetString());

        // It stopped after the page: the rows it produced and the rows it filtered out are a page's worth.
        var read = scan.GetProperty("Actual Rows").GetDouble() + (scan.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetDouble() : 0);
        Assert.True(read is > 0 and <= MaxRowsRead, $"The scan read {read} rows ({description}).");

        // The page came back full, so the query is the one the product runs, not a trivial one.
        Assert.Equal(Limit + 1, plan.GetProperty("Actual Rows").GetDouble());
    }

    private async Task<JsonElement> ExplainAsync(
        string? snapshot, (DateTime Activity, string Id)? after, short? status, short? post, string? search = null, bool webhookIdShaped = false)
    {
        // The parameters as PostgresWebhookLogStore.ReadAsync binds them.
        await using var command = log.Database.DataSource.CreateCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + _pageSql);
        command.Parameters.Add(new() { Value = Account });
        command.Parameters.Add(new() { Value = (object?)snapshot ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)after?.Activity ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = (object?)post ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = Limit + 1 });
        command.Parameters.Add(new() { Value = webhookIdShaped ? search! : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = (object?)search ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });

        return await QueryPlans.PlanAsync(command);
    }

    private static string Id(int n) => n.ToString("x13", CultureInfo.InvariantCulture);

    /// <summary>
    /// One account with 20,000 webhooks (one a second, statuses and posts mixed), a few closed
    /// versions, and a smaller second account, analysed.
    /// </summary>
    public sealed class LargeLogFixture : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        /// <summary>A snapshot taken after the rows were written, as a pass's cursor carries it.</summary>
        public string Snapshot { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateAsync();
            await Database.ScalarAsync(
                $"""
                WITH inserted AS (
                    INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status)
                    SELECT lpad(to_hex(g), 13, '0'), CASE WHEN g <= {Rows} THEN '{Account}' ELSE 'globex' END, 'r-' || g, g % 2,
                           timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second', 200, 'ok', 1, g % 3
                      FROM generate_series(1, {Rows + 5_000}) g
                    RETURNING 1)
                SELECT count(*) FROM inserted
                """);

            // Some history: every 50th webhook of the account was replaced once.
            await Database.ScalarAsync(
                $"""
                WITH closed AS (
                    UPDATE webhook_log SET replaced_xid = pg_current_xact_id(), replaced_at = now()
                     WHERE account_id = '{Account}' AND ('x' || webhook_id)::bit(52)::bigint % 50 = 0
                    RETURNING *),
                added AS (
                    INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, attempts, status)
                    SELECT webhook_id, account_id, response_id, listening_post, last_activity, attempts + 1, status FROM closed
                    RETURNING 1)
                SELECT count(*) FROM added
                """);
            await using (var analyze = Database.DataSource.CreateCommand("ANALYZE webhook_log"))
            {
                await analyze.ExecuteNonQueryAsync();
            }

            await using var command = Database.DataSource.CreateCommand("SELECT pg_current_snapshot()::text");
            Snapshot = (string)(await command.ExecuteScalarAsync())!;
        }

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }
}
