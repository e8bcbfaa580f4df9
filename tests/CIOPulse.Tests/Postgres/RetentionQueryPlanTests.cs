using System.Text.Json;
using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;
using NpgsqlTypes;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The retention sweep's candidate query reads its batch through the partial index
/// <c>webhook_log_retention</c> (migration 0006) in order, stopping after the batch: on a log of
/// 300,000 rows it neither scans the table nor sorts, from the start or from a keyset position.
/// </summary>
public sealed class RetentionQueryPlanTests(RetentionQueryPlanTests.LargeLogFixture log) : IClassFixture<RetentionQueryPlanTests.LargeLogFixture>
{
    private const int Rows = 300_000;
    private const int Limit = 500;

    private static readonly DateTime _t0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The product's query itself, so the test follows any change to it.</summary>
    private static readonly string _candidatesSql = QueryPlans.Statement(typeof(PostgresWebhookLogStore), "ExpiryCandidates");

    [Fact]
    public async Task The_first_batch_reads_the_retention_index_in_order_without_scanning_or_sorting()
    {
        var plan = await ExplainAsync(after: null);

        AssertReadsBatchFromIndex(plan);
    }

    [Fact]
    public async Task A_batch_after_a_keyset_position_reads_the_retention_index_from_there()
    {
        // Past the first 20,000 candidates.
        var plan = await ExplainAsync(after: (_t0.AddSeconds(125_000), (125_000).ToString("x13", System.Globalization.CultureInfo.InvariantCulture)));

        AssertReadsBatchFromIndex(plan);
    }

    private static void AssertReadsBatchFromIndex(JsonElement plan)
    {
        var nodes = QueryPlans.Nodes(plan).ToList();
        var types = nodes.Select(n => n.GetProperty("Node Type").GetString()).ToList();
        var description = string.Join(" > ", types);

        Assert.DoesNotContain("Sort", types);
        Assert.DoesNotContain("Seq Scan", types);
        Assert.DoesNotContain("Bitmap Heap Scan", types);
        var scan = Assert.Single(nodes, n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "webhook_log");
        Assert.Contains(scan.GetProperty("Node Type").GetString(), new[] { "Index Scan", "Index Only Scan" });
        Assert.Equal("webhook_log_retention", scan.GetProperty("Index Name").GetString());

        var read = scan.GetProperty("Actual Rows").GetDouble() + (scan.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetDouble() : 0);
        Assert.True(read is > 0 and <= Limit, $"The scan read {read} rows ({description}).");

        // A full batch came back, so the query is the one the product runs on real candidates.
        Assert.Equal(Limit, plan.GetProperty("Actual Rows").GetDouble());
    }

    private async Task<JsonElement> ExplainAsync((DateTime Activity, string Id)? after)
    {
        // The parameters as PostgresWebhookLogStore.FindExpiryCandidatesAsync binds them; the cut-off
        // leaves 45,000 candidates (the oldest 100,000 rows are expired already, every tenth row is InProgress).
        await using var command = log.Database.DataSource.CreateCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + _candidatesSql);
        command.Parameters.Add(new() { Value = _t0.AddSeconds(150_000), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Activity ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.Id ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = Limit });

        return await QueryPlans.PlanAsync(command);
    }

    /// <summary>
    /// 300,000 webhooks of 30 accounts, one a second: the oldest third expired, every tenth InProgress,
    /// every fiftieth with a closed older version; analysed.
    /// </summary>
    public sealed class LargeLogFixture : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateAsync();
            await Database.ScalarAsync(
                $"""
                WITH inserted AS (
                    INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status, expired)
                    SELECT lpad(to_hex(g), 13, '0'), 'acct-' || (g % 30), 'r-' || g, g % 2,
                           timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second', 200, 'ok', 1,
                           CASE WHEN g % 10 = 0 THEN 0 ELSE 1 + g % 2 END, g <= 100000
                      FROM generate_series(1, {Rows}) g
                    RETURNING 1)
                SELECT count(*) FROM inserted
                """);
            await Database.ScalarAsync(
                """
                WITH closed AS (
                    UPDATE webhook_log SET replaced_xid = pg_current_xact_id(), replaced_at = now()
                     WHERE ('x' || webhook_id)::bit(52)::bigint % 50 = 0
                    RETURNING *),
                added AS (
                    INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, attempts, status, expired)
                    SELECT webhook_id, account_id, response_id, listening_post, last_activity, attempts + 1, status, expired FROM closed
                    RETURNING 1)
                SELECT count(*) FROM added
                """);
            await using var analyze = Database.DataSource.CreateCommand("ANALYZE webhook_log");
            await analyze.ExecuteNonQueryAsync();
        }

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }
}
