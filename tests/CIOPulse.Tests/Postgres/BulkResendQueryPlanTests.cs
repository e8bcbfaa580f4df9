using System.Text.Json;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// A bulk resend's count and id listing over a 14-day window of one account read that window through
/// a <c>webhook_log_listing*</c> index (account, then last activity), not the account's whole log
/// nor the table, in a log that spans more than a year.
/// </summary>
public sealed class BulkResendQueryPlanTests(BulkResendQueryPlanTests.YearOfLogFixture log) : IClassFixture<BulkResendQueryPlanTests.YearOfLogFixture>
{
    private const string Account = "acme";
    private const int Rows = 20_000; // one every 30 minutes: about 416 days

    private static readonly DateTime _t0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    // 14 days of one row every 30 minutes, with room for the index's own overhead.
    private const int MaxRowsRead = 1_500;

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(WebhookStatus.Failed, null, null)]
    [InlineData(null, ListeningPost.Relationship, null)]
    [InlineData(WebhookStatus.Failed, null, 503)]
    [InlineData(null, null, WebhookLogFilter.NoResponse)]
    public async Task A_14_day_window_is_read_through_a_listing_index_of_the_account(WebhookStatus? status, ListeningPost? post, int? code)
    {
        var filter = new WebhookLogFilter(status, post, null, _t0.AddDays(100), _t0.AddDays(114), code);

        foreach (var sql in new[] { PostgresWebhookLogStore.CountMatching, PostgresWebhookLogStore.ListMatching })
        {
            var plan = await ExplainAsync(sql, filter);
            var nodes = QueryPlans.Nodes(plan).ToList();
            var description = string.Join(" > ", nodes.Select(n => n.GetProperty("Node Type").GetString()));
            Assert.DoesNotContain(nodes, n => n.GetProperty("Node Type").GetString() == "Seq Scan");
            var scans = nodes.Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "webhook_log").ToList();
            Assert.NotEmpty(scans);

            // An index scan names its index; a bitmap heap scan's index is its child's.
            var indexes = nodes.Where(n => n.TryGetProperty("Index Name", out _)).Select(n => n.GetProperty("Index Name").GetString()!).ToList();
            Assert.True(indexes.Count > 0, $"No index in the plan ({description}).");
            Assert.All(indexes, name => Assert.StartsWith("webhook_log_listing", name, StringComparison.Ordinal));
            foreach (var scan in scans)
            {
                var read = scan.GetProperty("Actual Rows").GetDouble()
                    + (scan.TryGetProperty("Rows Removed by Filter", out var removed) ? removed.GetDouble() : 0)
                    + (scan.TryGetProperty("Rows Removed by Index Recheck", out var rechecked) ? rechecked.GetDouble() : 0);
                Assert.True(read <= MaxRowsRead, $"The scan read {read} rows ({description}).");
            }

            // The window is not empty, so the plan is the one real data gets.
            Assert.True(nodes.Max(n => n.GetProperty("Actual Rows").GetDouble()) > 0, description);
        }
    }

    private async Task<JsonElement> ExplainAsync(string sql, WebhookLogFilter filter)
    {
        // The parameters exactly as the store binds them.
        await using var command = PostgresWebhookLogStore.MatchingCommand(log.Database.DataSource, "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, Account, filter);
        if (sql == PostgresWebhookLogStore.ListMatching)
        {
            command.Parameters.Add(new() { Value = 100_001 });
        }

        return await QueryPlans.PlanAsync(command);
    }

    /// <summary>Two accounts of 20,000 webhooks each, one every 30 minutes, statuses, posts and codes mixed, analysed.</summary>
    public sealed class YearOfLogFixture : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateAsync();
            await Database.ScalarAsync(
                $"""
                WITH inserted AS (
                    INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status)
                    SELECT lpad(to_hex(g), 13, '0'), CASE WHEN g % 2 = 0 THEN '{Account}' ELSE 'globex' END, 'r-' || g, (g / 2) % 2,
                           timestamptz '2025-01-01 00:00:00+00' + (g / 2) * interval '30 minutes',
                           CASE g % 7 WHEN 0 THEN NULL WHEN 1 THEN 503 ELSE 200 END, 'x', 1, (g / 2) % 3
                      FROM generate_series(1, {Rows * 2}) g
                    RETURNING 1)
                SELECT count(*) FROM inserted
                """);
            await using var analyze = Database.DataSource.CreateCommand("ANALYZE webhook_log");
            await analyze.ExecuteNonQueryAsync();
        }

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }
}
