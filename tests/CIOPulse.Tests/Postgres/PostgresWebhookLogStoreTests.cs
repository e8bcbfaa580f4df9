using System.Globalization;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;
using CIOPulse.Persistence.Postgres;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The PostgreSQL Webhook Log index against the store contract it shares with its in-memory twin
/// (<see cref="WebhookLogStoreContract{TStore}"/>), plus what only a real database can show: concurrent
/// writers, transactions in flight at the snapshot, forged snapshots, pruning and timestamp round trips.
/// </summary>
public sealed class PostgresWebhookLogStoreTests : WebhookLogStoreContract<PostgresWebhookLogStore>
{
    private TestDatabase _database = null!;
    private PostgresGroupCommit _commits = null!;

    // The clock starts at the real time: PostgreSQL stamps replaced_at with its own now(), and
    // PruneAsync compares that with this clock.
    public PostgresWebhookLogStoreTests()
        : base(DateTimeOffset.UtcNow)
    {
    }

    protected override string SnapshotPattern => "^[0-9]+:[0-9]+:[0-9,]*$";

    protected override async Task<PostgresWebhookLogStore> CreateStoreAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _commits = new PostgresGroupCommit(_database.DataSource);
        return new PostgresWebhookLogStore(_commits, Clock);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _commits.DisposeAsync();
        await _database.DisposeAsync();
    }

    protected override async Task AssertStoredVersionsAsync(long current, long? replaced = null)
    {
        Assert.Equal(current, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));

        // One current version per webhook: as many webhooks as current versions, none with two.
        Assert.Equal(current, await _database.ScalarAsync("SELECT count(DISTINCT webhook_id) FROM webhook_log"));
        Assert.Equal(0, await _database.ScalarAsync(
            "SELECT count(*) FROM (SELECT webhook_id FROM webhook_log WHERE replaced_xid IS NULL GROUP BY webhook_id HAVING count(*) > 1) twice"));
        if (replaced is { } expectedReplaced)
        {
            Assert.Equal(expectedReplaced, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL AND replaced_at IS NOT NULL"));
        }
    }

    [Fact]
    public async Task Writes_in_flight_when_a_pass_starts_stay_invisible_to_it_after_they_commit()
    {
        for (var i = 0; i < 6; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i}", i));
        }

        // The product's own statements, in a transaction of the test's that is open at the snapshot.
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await ExecuteRecordStatementsAsync(connection, Item("w2", 100, WebhookStatus.Failed, attempts: 4));
        await ExecuteRecordStatementsAsync(connection, Item("n1", 101));
        long inFlightXid;
        await using (var xid = new NpgsqlCommand("SELECT pg_current_xact_id()::text::bigint", connection))
        {
            inFlightXid = (long)(await xid.ExecuteScalarAsync())!;
        }

        // A later transaction commits first, so the snapshot lists the open one among those in progress.
        await Store.RecordAsync("globex", Item("g", 0));
        var first = await Store.ReadAsync(Account, All, null, 2);
        await transaction.CommitAsync();
        var rest = await ReadPass(All, 2, first.Next);

        Assert.Equal(Ws("w5", "w4"), Ids(first.Items));
        Assert.Equal([Item("w3", 3), Item("w2", 2), Item("w1", 1), Item("w0", 0)], rest);
        Assert.Equal(Ws("n1", "w2", "w5"), Ids((await Store.ReadAsync(Account, All, null, 3)).Items));

        // The cursor's snapshot lists the open transaction as in progress.
        Assert.Contains(inFlightXid.ToString(CultureInfo.InvariantCulture), first.Next!.Snapshot.Split(':')[2].Split(','));
        Assert.Equal(0, await _database.ScalarAsync(
            $"SELECT pg_visible_in_snapshot('{inFlightXid}'::xid8, '{first.Next!.Snapshot}'::pg_snapshot)::int"));
    }

    [Theory]
    [InlineData(200, 5)]
    [InlineData(60, 1)]
    public async Task A_pass_returns_every_webhook_of_its_snapshot_exactly_once_while_writers_keep_moving_rows(int webhooks, int limit)
    {
        const int writers = 2;
        var existing = Enumerable.Range(0, webhooks).Select(i => W($"w{i:D4}")).ToList();
        for (var i = 0; i < webhooks; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i:D4}", i, (WebhookStatus)(i % 3)));
        }

        long writes = 0;
        var passStarted = 0;
        using var stop = new CancellationTokenSource();

        // Each writer owns a disjoint share of the webhooks, as each delivery grain owns its own.
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w + 1);
            var minute = 1_000_000 * (w + 1);
            var created = 0;
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                // New webhooks only once the pass has its snapshot: the pass must not show them.
                var item = Volatile.Read(ref passStarted) == 1 && n % 5 == 0
                    ? Item($"n{w}{created++:D6}", ++minute)
                    : Item(
                        $"w{(random.Next(webhooks / writers) * writers) + w:D4}",
                        random.Next(3) == 0 ? random.Next(0, webhooks) : ++minute,
                        (WebhookStatus)random.Next(3),
                        attempts: random.Next(1, 7));
                await Store.RecordAsync(Account, item);
                Interlocked.Increment(ref writes);
            }
        })).ToList();

        var returned = new List<WebhookLogItem>();
        var pages = 0;
        long writesDuringPass;
        try
        {
            await WaitForWritesAsync(0);
            var writesBefore = Interlocked.Read(ref writes);
            WebhookLogPosition? position = null;
            do
            {
                var seen = Interlocked.Read(ref writes);
                var slice = await Store.ReadAsync(Account, All, position, limit);
                Volatile.Write(ref passStarted, 1);
                returned.AddRange(slice.Items);
                position = slice.Next;
                Assert.True(++pages <= webhooks + 1, "The pass does not end.");

                // Let the writers move rows between every two pages.
                await WaitForWritesAsync(seen);
            }
            while (position is not null);

            writesDuringPass = Interlocked.Read(ref writes) - writesBefore;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writerTasks);
        }

        var ids = Ids(returned);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(existing.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Equal(
            returned.OrderByDescending(x => x.LastActivityUtc).ThenByDescending(x => x.WebhookId, StringComparer.Ordinal),
            returned);
        Assert.True(writesDuringPass >= pages, $"Only {writesDuringPass} writes during {pages} pages.");
        Assert.True(await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE webhook_id LIKE '%n%'") > 0, "No webhook was created during the pass.");
        Assert.Equal(
            await _database.ScalarAsync("SELECT count(DISTINCT webhook_id) FROM webhook_log"),
            await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));

        async Task WaitForWritesAsync(long after)
        {
            await Eventually.HoldsAsync(
                () => Interlocked.Read(ref writes) > after || writerTasks.Any(t => t.IsCompleted),
                "the writers make progress",
                poll: TimeSpan.FromMilliseconds(1));
            if (writerTasks.FirstOrDefault(t => t.IsCompleted) is { } ended)
            {
                await ended;
                Assert.Fail("A writer stopped early.");
            }
        }
    }

    [Theory]
    [InlineData("5:3:")]
    [InlineData("1:2:9999999")]
    [InlineData("1:10:5,3")]
    [InlineData("0:0:")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("42")]
    [InlineData("99999999999999999999")]
    public async Task A_position_with_a_snapshot_PostgreSQL_cannot_read_is_refused_with_a_FormatException(string snapshot)
    {
        await Store.RecordAsync(Account, Item("a", 1));

        var thrown = await Record.ExceptionAsync(() =>
            Store.ReadAsync(Account, All, new WebhookLogPosition(snapshot, T0, null, null), 10));

        Assert.IsType<FormatException>(thrown);
    }

    [Theory]
    [InlineData("5:3:")]
    [InlineData("1:2:9999999")]
    public async Task A_forged_snapshot_with_an_after_row_is_refused_with_a_FormatException(string snapshot)
    {
        await Store.RecordAsync(Account, Item("a", 1));

        var thrown = await Record.ExceptionAsync(() =>
            Store.ReadAsync(Account, All, new WebhookLogPosition(snapshot, T0, T0.AddMinutes(5), W("z")), 10));

        Assert.IsType<FormatException>(thrown);
    }

    [Theory]
    [InlineData("99999999999999999999:99999999999999999999:")]
    [InlineData("1:18446744073709551615:")]
    [InlineData("18446744073709551615:18446744073709551615:")]
    public async Task A_forged_snapshot_beyond_every_transaction_reads_like_a_new_pass(string snapshot)
    {
        // PostgreSQL accepts these (it saturates numbers past 2^64 - 1): every committed version is
        // visible, so the page is the present, current rows only, and still only this account's.
        await Store.RecordAsync(Account, Item("a", 1));
        await Store.RecordAsync(Account, Item("a", 2, WebhookStatus.Failed));
        await Store.RecordAsync(Account, Item("b", 0));
        await Store.RecordAsync("globex", Item("c", 3));

        var slice = await Store.ReadAsync(Account, All, new WebhookLogPosition(snapshot, T0, null, null), 10);

        Assert.Equal([Item("a", 2, WebhookStatus.Failed), Item("b", 0)], slice.Items);
        Assert.Null(slice.Next);
    }

    [Fact]
    public async Task A_well_formed_snapshot_from_before_any_write_reads_as_empty()
    {
        await Store.RecordAsync(Account, Item("a", 1));

        var slice = await Store.ReadAsync(Account, All, new WebhookLogPosition("1:2:", T0, null, null), 10);

        Assert.Empty(slice.Items);
        Assert.Null(slice.Next);
    }

    [Fact]
    public async Task Replaced_row_versions_are_pruned_only_after_the_cursor_lifetime()
    {
        await Store.RecordAsync(Account, Item("a", 2));
        await Store.RecordAsync(Account, Item("b", 1));
        var first = await Store.ReadAsync(Account, All, null, 1);
        Assert.Equal(Ws("a"), Ids(first.Items));
        await Store.RecordAsync(Account, Item("b", 3, WebhookStatus.Succeeded));

        // Pruning goes by the database's clock: age the closed version in place.
        await AgeReplacedVersionsAsync(WebhookLogCursor.Lifetime - TimeSpan.FromMinutes(1));
        var prunedWithinLifetime = await Store.PruneAsync();
        var withinLifetime = await Store.ReadAsync(Account, All, first.Next, 10);

        // Past the lifetime and the margin for clock skew between service and database.
        await AgeReplacedVersionsAsync(TimeSpan.FromMinutes(12));
        var prunedAfterLifetime = await Store.PruneAsync();
        var afterLifetime = await Store.ReadAsync(Account, All, first.Next, 10);

        Assert.Equal(0, prunedWithinLifetime);
        Assert.Equal(Item("b", 1), Assert.Single(withinLifetime.Items));
        Assert.Equal(1, prunedAfterLifetime);
        Assert.Empty(afterLifetime.Items);
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL"));
        Assert.Equal(Ws("b", "a"), Ids((await Store.ReadAsync(Account, All, null, 10)).Items));
    }

    [Fact]
    public async Task Hourly_attempt_counts_are_pruned_after_their_retention_and_a_batch_counts_every_attempt_it_carries()
    {
        var now = AttemptTally.HourOf(DateTime.UtcNow);
        var old = now - AttemptTally.Retention - TimeSpan.FromHours(2);

        // Changes submitted together (so they may share a batch): every attempt is counted.
        await Task.WhenAll(
            Store.RecordAsync(Account, Item("a", 1), new AttemptTally(now, Succeeded: false)),
            Store.RecordAsync(Account, Item("a", 2), new AttemptTally(now, Succeeded: false)),
            Store.RecordAsync(Account, Item("a", 3, WebhookStatus.Succeeded), new AttemptTally(now, Succeeded: true)),
            Store.RecordAsync(Account, Item("b", 3), new AttemptTally(old, Succeeded: true)));

        Assert.Equal([new HourlyAttempts(old, 1, 0), new HourlyAttempts(now, 1, 2)], await Store.ReadAttemptsPerHourAsync(Account, old));
        Assert.Equal(1, await Store.PruneAsync());
        Assert.Equal([new HourlyAttempts(now, 1, 2)], await Store.ReadAttemptsPerHourAsync(Account, old));
    }

    [Fact]
    public async Task Current_rows_are_never_pruned_however_old()
    {
        await Store.RecordAsync(Account, Item("old", 0));
        await Store.RecordAsync(Account, Item("replaced", 1));
        await Store.RecordAsync(Account, Item("replaced", 2, WebhookStatus.Failed));
        await Store.RecordAsync("globex", Item("other", 0));

        var pruned = 0;
        for (var day = 0; day < 3; day++)
        {
            await _database.ScalarAsync("WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '1 day' WHERE replaced_at IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");
            await Store.RecordAsync(Account, Item($"new{day}", 10 + day));
            pruned += await Store.PruneAsync();
        }

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal(1, pruned);
        Assert.Equal(Ws("new2", "new1", "new0", "replaced", "old"), Ids(slice.Items));
        Assert.Equal(WebhookStatus.Failed, slice.Items[3].Status);
        Assert.Single((await Store.ReadAsync("globex", All, null, 10)).Items);
        Assert.Equal(6, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));
        Assert.Equal(6, await _database.ScalarAsync("SELECT count(*) FROM webhook_log"));
    }

    [Fact]
    public async Task Pruning_keeps_the_old_versions_a_live_cursor_still_needs()
    {
        for (var i = 0; i < 4; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i}", i));
        }

        // Replaced more than a lifetime before the pass starts: no cursor can need the old version.
        await Store.RecordAsync(Account, Item("w0", 10));
        await _database.ScalarAsync(
            $"WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '2 hours' WHERE webhook_id = '{W("w0")}' AND replaced_xid IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");
        var first = await Store.ReadAsync(Account, All, null, 1);

        // Replaced during the pass: the pass still needs the old versions for its whole lifetime.
        await Store.RecordAsync(Account, Item("w1", 11));
        await Store.RecordAsync(Account, Item("w2", 12));
        Clock.Advance(TimeSpan.FromMinutes(59));
        var pruned = await Store.PruneAsync();

        var rest = await ReadPass(All, 1, first.Next);

        Assert.Equal(1, pruned);
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL"));
        Assert.Equal(Ws("w0"), Ids(first.Items));
        Assert.Equal([Item("w3", 3), Item("w2", 2), Item("w1", 1)], rest);
    }

    [Fact]
    public async Task A_receivers_answer_with_NUL_characters_is_stored_with_replacement_characters_without_failing_its_batch()
    {
        // PostgreSQL's text cannot hold U+0000; recorded together, both rows land, the first as text it can hold.
        var time = new DateTime(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc);
        var withNul = new WebhookLogItem(W("a"), "r-a", ListeningPost.Transactional, time, 200, "ok\0\0done", 1, WebhookStatus.Succeeded);
        var plain = new WebhookLogItem(W("b"), "r-b", ListeningPost.Transactional, time.AddSeconds(1), 200, "ok", 1, WebhookStatus.Succeeded);

        await Task.WhenAll(Store.RecordAsync(Account, withNul), Store.RecordAsync(Account, plain));
        var read = (await Store.ReadAsync(Account, All, null, 10)).Items;
        var found = await Store.ReadAsync(Account, new WebhookLogFilter(null, null, Search: "r-\0"), null, 10);
        var foundById = await Store.ReadAsync(Account, new WebhookLogFilter(null, null, Search: "0123456789ab\0"), null, 10);

        Assert.Equal([plain, withNul with { LastResponse = "ok\uFFFD\uFFFDdone" }], read);
        Assert.Empty(found.Items);
        Assert.Empty(foundById.Items);
    }

    [Fact]
    public async Task Times_come_back_as_UTC_and_equal_to_the_recorded_microseconds()
    {
        var items = new[]
        {
            new WebhookLogItem(W("a"), "r-a", ListeningPost.Relationship, new DateTime(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5_358_970), 503, "Service Unavailable", 3, WebhookStatus.InProgress),
            new WebhookLogItem(W("b"), "r-b", ListeningPost.Transactional, new DateTime(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5_358_960), null, "connection refused", 1, WebhookStatus.Failed),
            new WebhookLogItem(W("c"), "r-c", ListeningPost.Transactional, new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_990), 200, new string('x', 100), 1, WebhookStatus.Succeeded),
        };
        foreach (var item in items)
        {
            await Store.RecordAsync(Account, item);
        }

        var slice = await Store.ReadAsync(Account, All, null, 1);
        var rest = await ReadPass(All, 1, slice.Next);
        var read = slice.Items.Concat(rest).ToList();

        Assert.Equal(items, read);
        Assert.All(read, item => Assert.Equal(DateTimeKind.Utc, item.LastActivityUtc.Kind));
        Assert.Equal(DateTimeKind.Utc, slice.Next!.AfterLastActivityUtc!.Value.Kind);
        Assert.Equal(items[0].LastActivityUtc, slice.Next.AfterLastActivityUtc);
    }

    [Fact]
    public async Task Times_finer_than_a_microsecond_come_back_truncated_to_the_microsecond()
    {
        var recorded = new DateTime(2025, 3, 14, 15, 9, 26, DateTimeKind.Utc).AddTicks(5_358_979);
        await Store.RecordAsync(Account, Item("a", 0) with { LastActivityUtc = recorded });

        var read = Assert.Single((await Store.ReadAsync(Account, All, null, 10)).Items);

        Assert.Equal(recorded.AddTicks(-(recorded.Ticks % 10)), read.LastActivityUtc);
        Assert.Equal(DateTimeKind.Utc, read.LastActivityUtc.Kind);
    }

    /// <summary>Runs the statements <see cref="PostgresWebhookLogStore.RecordAsync"/> runs, on the caller's connection and transaction.</summary>
    private static async Task ExecuteRecordStatementsAsync(NpgsqlConnection connection, WebhookLogItem item)
    {
        static string Sql(string name) => QueryPlans.Statement(typeof(PostgresWebhookLogStore), name);

        // The statements take arrays (one element per webhook of a group commit).
        await using var close = new NpgsqlCommand(Sql("CloseCurrent"), connection)
        {
            Parameters = { new() { Value = new[] { item.WebhookId }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Char } },
        };
        await close.ExecuteNonQueryAsync();
        await using var insert = new NpgsqlCommand(Sql("InsertCurrent"), connection)
        {
            Parameters =
            {
                new() { Value = new[] { item.WebhookId } },
                new() { Value = new[] { Account } },
                new() { Value = new[] { item.ResponseId } },
                new() { Value = new[] { (short)item.ListeningPost } },
                new() { Value = new[] { item.LastActivityUtc }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                new() { Value = new[] { item.LastResponseCode }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                new() { Value = new[] { item.LastResponse }, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                new() { Value = new[] { item.Attempts } },
                new() { Value = new[] { (short)item.Status } },
                new() { Value = new[] { item.Test } },
                new() { Value = new[] { item.Expired } },
            },
        };
        await insert.ExecuteNonQueryAsync();
    }

    private Task<long> AgeReplacedVersionsAsync(TimeSpan age) => _database.ScalarAsync(
        $"WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '{(long)age.TotalSeconds} seconds' WHERE replaced_at IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");
}
