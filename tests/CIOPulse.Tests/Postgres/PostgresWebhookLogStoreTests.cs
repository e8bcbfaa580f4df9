using System.Globalization;
using System.Reflection;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Tests.Infrastructure;
using CIOPulse.Tests.Unit;
using Npgsql;
using NpgsqlTypes;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The PostgreSQL Webhook Log index against the contract its in-memory twin is held to
/// (<see cref="InMemoryWebhookLogStoreTests"/>), plus what only a real database can show: concurrent
/// writers, transactions in flight at the snapshot, forged snapshots, pruning and timestamp round trips.
/// </summary>
public sealed class PostgresWebhookLogStoreTests : IAsyncLifetime
{
    private const string Account = "acme";

    private static readonly DateTime _t0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly WebhookLogFilter _all = new(null, null);

    // Starts at the real time: PostgreSQL stamps replaced_at with its own now(), and PruneAsync
    // compares that with this clock.
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestDatabase _database = null!;
    private PostgresWebhookLogStore _store = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _store = new PostgresWebhookLogStore(_database.DataSource, _clock);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Recording_a_webhook_again_keeps_one_current_row_with_the_newest_version()
    {
        await _store.RecordAsync(Account, Item("a", 1, WebhookStatus.InProgress, attempts: 1));
        var latest = Item("a", 2, WebhookStatus.Succeeded, attempts: 2) with { LastResponseCode = 200, LastResponse = "ok" };
        await _store.RecordAsync(Account, latest);
        await _store.RecordAsync(Account, Item("b", 1));

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal([latest, Item("b", 1)], slice.Items);
        Assert.Null(slice.Next);
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));
        Assert.Equal(1, await _database.ScalarAsync($"SELECT count(*) FROM webhook_log WHERE webhook_id = '{W("a")}' AND replaced_xid IS NULL"));
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL AND replaced_at IS NOT NULL"));
    }

    [Fact]
    public async Task The_last_recorded_version_wins_even_with_an_older_activity_time()
    {
        await _store.RecordAsync(Account, Item("a", 5, WebhookStatus.InProgress));
        var latest = Item("a", 3, WebhookStatus.Failed);
        await _store.RecordAsync(Account, latest);

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal(latest, Assert.Single(slice.Items));
    }

    [Fact]
    public async Task Read_returns_newest_activity_first_with_webhook_id_descending_on_ties()
    {
        await _store.RecordAsync(Account, Item("a", 1));
        await _store.RecordAsync(Account, Item("b", 3));
        await _store.RecordAsync(Account, Item("c", 2));
        await _store.RecordAsync(Account, Item("d", 2));
        await _store.RecordAsync(Account, Item("e", 0));
        await _store.RecordAsync(Account, Item("B", 3));

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal(Ws("b", "B", "d", "c", "a", "e"), Ids(slice.Items));
    }

    [Fact]
    public async Task Ties_on_activity_page_by_webhook_id_descending_without_loss_or_repeat()
    {
        // Every row has the same activity time: the keyset is decided by the webhook id alone.
        var ids = Enumerable.Range(0, 17).Select(i => $"{i:x}").ToList();
        foreach (var id in ids)
        {
            await _store.RecordAsync(Account, Item(id, 7));
        }

        var items = await ReadPass(_all, 3);

        Assert.Equal(ids.Select(W).OrderDescending(StringComparer.Ordinal), Ids(items));
    }

    [Theory]
    [InlineData(null, null, "f,e,d,c,b,a")]
    [InlineData(WebhookStatus.InProgress, null, "d,a")]
    [InlineData(WebhookStatus.Succeeded, null, "e,b")]
    [InlineData(WebhookStatus.Failed, null, "f,c")]
    [InlineData(null, ListeningPost.Transactional, "e,c,a")]
    [InlineData(null, ListeningPost.Relationship, "f,d,b")]
    [InlineData(WebhookStatus.Succeeded, ListeningPost.Relationship, "b")]
    [InlineData(WebhookStatus.Failed, ListeningPost.Transactional, "c")]
    public async Task Read_filters_by_status_and_listening_post(WebhookStatus? status, ListeningPost? post, string expected)
    {
        WebhookStatus[] statuses = [WebhookStatus.InProgress, WebhookStatus.Succeeded, WebhookStatus.Failed];
        var ids = new[] { "a", "b", "c", "d", "e", "f" };
        for (var i = 0; i < ids.Length; i++)
        {
            await _store.RecordAsync(Account, Item(ids[i], i, statuses[i % 3], i % 2 == 0 ? ListeningPost.Transactional : ListeningPost.Relationship));
        }

        var slice = await _store.ReadAsync(Account, new WebhookLogFilter(status, post), null, 10);

        Assert.Equal(Ws(expected.Split(',')), Ids(slice.Items));
        Assert.All(slice.Items, item => Assert.True(new WebhookLogFilter(status, post).Matches(item)));
    }

    [Fact]
    public async Task Filtered_paging_returns_each_matching_webhook_once()
    {
        for (var i = 0; i < 30; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i, i % 3 == 0 ? WebhookStatus.Failed : WebhookStatus.Succeeded));
        }

        var items = await ReadPass(new WebhookLogFilter(WebhookStatus.Failed, null), 3);

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 0).Reverse().Select(i => W($"w{i:D2}")), Ids(items));
    }

    [Fact]
    public async Task Accounts_do_not_see_each_others_rows()
    {
        await _store.RecordAsync("acme", Item("a", 1));
        await _store.RecordAsync("globex", Item("b", 2));
        await _store.RecordAsync("globex", Item("c", 3, WebhookStatus.Failed));

        var acme = await _store.ReadAsync("acme", _all, null, 10);
        var globex = await _store.ReadAsync("globex", _all, null, 10);
        var globexFailed = await _store.ReadAsync("globex", new WebhookLogFilter(WebhookStatus.Failed, null), null, 10);
        var unknown = await _store.ReadAsync("initech", _all, null, 10);

        Assert.Equal(Item("a", 1), Assert.Single(acme.Items));
        Assert.Equal(Ws("c", "b"), Ids(globex.Items));
        Assert.Equal(Ws("c"), Ids(globexFailed.Items));
        Assert.Empty(unknown.Items);
        Assert.Null(unknown.Next);
    }

    [Fact]
    public async Task A_pass_over_one_account_never_reaches_into_another()
    {
        // Rows of other accounts sort before, between and after acme's in (activity, id) order.
        for (var i = 0; i < 10; i++)
        {
            await _store.RecordAsync(Account, Item($"a{i}", i * 2));
            await _store.RecordAsync("acmf", Item($"b{i}", i * 2 + 1));
            await _store.RecordAsync("acm", Item($"c{i}", i * 2));
        }

        var items = await ReadPass(_all, 3);

        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => W($"a{i}")), Ids(items));
    }

    [Fact]
    public async Task Account_ids_are_case_sensitive()
    {
        await _store.RecordAsync("acme", Item("a", 1));

        Assert.Empty((await _store.ReadAsync("ACME", _all, null, 10)).Items);
        Assert.Single((await _store.ReadAsync("acme", _all, null, 10)).Items);
    }

    [Theory]
    [InlineData(0, 5, 1)]
    [InlineData(1, 5, 1)]
    [InlineData(5, 5, 1)]
    [InlineData(6, 5, 2)]
    [InlineData(10, 5, 2)]
    [InlineData(23, 5, 5)]
    [InlineData(23, 1, 23)]
    [InlineData(23, 500, 1)]
    public async Task Paging_returns_each_webhook_once_in_order_and_ends_with_no_next(int count, int limit, int expectedPages)
    {
        for (var i = 0; i < count; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i % 7));
        }

        var pages = new List<WebhookLogSlice>();
        WebhookLogPosition? position = null;
        do
        {
            var slice = await _store.ReadAsync(Account, _all, position, limit);
            pages.Add(slice);
            position = slice.Next;
            Assert.True(pages.Count <= count + 1, "The pass does not end.");
        }
        while (position is not null);

        Assert.Equal(expectedPages, pages.Count);
        Assert.All(pages, p => Assert.True(p.Items.Count <= limit));
        Assert.All(pages[..^1], p => Assert.Equal(limit, p.Items.Count));
        var expected = Enumerable.Range(0, count)
            .Select(i => Item($"w{i:D2}", i % 7))
            .OrderByDescending(x => x.LastActivityUtc)
            .ThenByDescending(x => x.WebhookId, StringComparer.Ordinal);
        Assert.Equal(expected, pages.SelectMany(p => p.Items));
    }

    [Fact]
    public async Task Every_page_of_a_pass_carries_the_first_pages_snapshot_and_time()
    {
        for (var i = 0; i < 9; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i}", i));
        }

        var startedUtc = _clock.GetUtcNow().UtcDateTime;
        var first = await _store.ReadAsync(Account, _all, null, 3);
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _store.RecordAsync(Account, Item("w0", 100));
        var second = await _store.ReadAsync(Account, _all, first.Next, 3);

        Assert.NotNull(first.Next);
        Assert.NotNull(second.Next);
        Assert.Equal(startedUtc, first.Next.SnapshotUtc);
        Assert.Equal(startedUtc, second.Next.SnapshotUtc);
        Assert.Equal(first.Next.Snapshot, second.Next.Snapshot);
        Assert.Matches("^[0-9]+:[0-9]+:[0-9,]*$", first.Next.Snapshot);
        Assert.Equal((first.Items[^1].LastActivityUtc, first.Items[^1].WebhookId), (first.Next.AfterLastActivityUtc!.Value, first.Next.AfterWebhookId));
        Assert.Equal(Ws("w5", "w4", "w3"), Ids(second.Items));
    }

    [Fact]
    public async Task A_pass_shows_the_snapshot_while_rows_move_change_and_appear()
    {
        for (var i = 0; i < 12; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i));
        }

        var expected = Enumerable.Range(0, 12).Reverse().Select(i => Item($"w{i:D2}", i)).ToList();

        var first = await _store.ReadAsync(Account, _all, null, 4);
        Assert.Equal(expected[..4], first.Items);

        // Already returned rows move to the top or to the bottom, or change status in place.
        await _store.RecordAsync(Account, Item("w10", 100, WebhookStatus.Succeeded, attempts: 2));
        await _store.RecordAsync(Account, Item("w09", -100, WebhookStatus.Failed, attempts: 5));
        await _store.RecordAsync(Account, Item("w08", 8, WebhookStatus.Failed, attempts: 5));

        // Rows on later pages move up past the cursor, down, or change status in place.
        await _store.RecordAsync(Account, Item("w02", 200, WebhookStatus.Succeeded, attempts: 2));
        await _store.RecordAsync(Account, Item("w06", -200, WebhookStatus.Failed, attempts: 5));
        await _store.RecordAsync(Account, Item("w05", 5, WebhookStatus.Succeeded, attempts: 3));
        await _store.RecordAsync(Account, Item("w03", 9, WebhookStatus.Succeeded, attempts: 2));

        // Brand-new webhooks appear at the top, in the middle and at the bottom.
        await _store.RecordAsync(Account, Item("n1", 300));
        await _store.RecordAsync(Account, Item("n2", 4));
        await _store.RecordAsync(Account, Item("n3", -300));

        var rest = await ReadPass(_all, 4, first.Next);

        Assert.Equal(expected, first.Items.Concat(rest));

        // A new pass sees the present.
        var fresh = await ReadPass(_all, 4);
        Assert.Equal(Ws("n1", "w02", "w10", "w11", "w03", "w08", "w07", "w05", "w04", "n2", "w01", "w00", "w09", "w06", "n3"), Ids(fresh));
    }

    [Fact]
    public async Task A_filtered_pass_selects_rows_by_their_status_at_the_snapshot()
    {
        for (var i = 0; i < 10; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i, i % 2 == 0 ? WebhookStatus.InProgress : WebhookStatus.Failed));
        }

        var inProgress = new WebhookLogFilter(WebhookStatus.InProgress, null);
        var first = await _store.ReadAsync(Account, inProgress, null, 2);
        Assert.Equal(Ws("w08", "w06"), Ids(first.Items));

        await _store.RecordAsync(Account, Item("w02", 50, WebhookStatus.Succeeded, attempts: 2));
        await _store.RecordAsync(Account, Item("w03", 51, WebhookStatus.InProgress, attempts: 6));
        await _store.RecordAsync(Account, Item("w04", 4, WebhookStatus.Failed, attempts: 5));

        var rest = await ReadPass(inProgress, 2, first.Next);

        Assert.Equal(Ws("w04", "w02", "w00"), Ids(rest));
        Assert.All(rest, r => Assert.Equal(WebhookStatus.InProgress, r.Status));
    }

    [Fact]
    public async Task A_new_pass_sees_the_changes_made_during_the_previous_one()
    {
        for (var i = 0; i < 6; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i));
        }

        var first = await _store.ReadAsync(Account, _all, null, 2);
        await _store.RecordAsync(Account, Item("w00", 100, WebhookStatus.Succeeded));
        await _store.RecordAsync(Account, Item("n1", 50));
        await ReadPass(_all, 2, first.Next);

        var fresh = await ReadPass(_all, 2);

        Assert.Equal(Ws("w00", "n1", "w05", "w04", "w03", "w02", "w01"), Ids(fresh));
        Assert.Equal(WebhookStatus.Succeeded, fresh[0].Status);
    }

    [Fact]
    public async Task Writes_in_flight_when_a_pass_starts_stay_invisible_to_it_after_they_commit()
    {
        for (var i = 0; i < 6; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i}", i));
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
        await _store.RecordAsync("globex", Item("g", 0));
        var first = await _store.ReadAsync(Account, _all, null, 2);
        await transaction.CommitAsync();
        var rest = await ReadPass(_all, 2, first.Next);

        Assert.Equal(Ws("w5", "w4"), Ids(first.Items));
        Assert.Equal([Item("w3", 3), Item("w2", 2), Item("w1", 1), Item("w0", 0)], rest);
        Assert.Equal(Ws("n1", "w2", "w5"), Ids((await _store.ReadAsync(Account, _all, null, 3)).Items));

        // The cursor's snapshot lists the open transaction as in progress.
        Assert.Contains(inFlightXid.ToString(CultureInfo.InvariantCulture), first.Next!.Snapshot.Split(':')[2].Split(','));
        Assert.Equal(0, await _database.ScalarAsync(
            $"SELECT pg_visible_in_snapshot('{inFlightXid}'::xid8, '{first.Next!.Snapshot}'::pg_snapshot)::int"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20250101)]
    public async Task Passes_return_every_snapshot_webhook_exactly_once_under_random_updates(int seed)
    {
        const int webhooks = 300;
        const int pageSize = 7;
        var random = new Random(seed);
        var model = new Dictionary<string, WebhookLogItem>(StringComparer.Ordinal);
        var latestMinute = 0;
        var created = 0;

        async Task Write(WebhookLogItem item)
        {
            model[item.WebhookId] = item;
            await _store.RecordAsync(Account, item);
        }

        WebhookLogItem RandomVersionOf(string id)
        {
            // Mostly new activity (to the top), sometimes anywhere, sometimes the same time (tie-breaks).
            var minute = random.Next(4) switch
            {
                0 or 1 => ++latestMinute,
                2 => random.Next(-50, latestMinute + 1),
                _ => random.Next(0, 20),
            };
            return Item(id, minute, (WebhookStatus)random.Next(3), random.Next(2) == 0 ? ListeningPost.Transactional : ListeningPost.Relationship, random.Next(1, 7));
        }

        for (; created < webhooks; created++)
        {
            await Write(RandomVersionOf($"w{created:D5}"));
        }

        for (var pass = 0; pass < 3; pass++)
        {
            var filter = pass switch
            {
                0 => _all,
                1 => new WebhookLogFilter(WebhookStatus.Failed, null),
                _ => new WebhookLogFilter(null, ListeningPost.Relationship),
            };
            var snapshot = model.Values
                .Where(filter.Matches)
                .OrderByDescending(x => x.LastActivityUtc)
                .ThenByDescending(x => x.WebhookId, StringComparer.Ordinal)
                .ToList();
            var returned = new List<WebhookLogItem>();
            WebhookLogPosition? position = null;
            var pages = 0;
            do
            {
                var slice = await _store.ReadAsync(Account, filter, position, pageSize);
                returned.AddRange(slice.Items);
                position = slice.Next;
                pages++;
                Assert.True(pages <= snapshot.Count + 1, "The pass does not end.");

                for (var updates = random.Next(0, 8); updates > 0; updates--)
                {
                    if (random.Next(5) == 0)
                    {
                        await Write(RandomVersionOf($"w{created++:D5}"));
                    }
                    else
                    {
                        await Write(RandomVersionOf($"w{random.Next(created):D5}"));
                    }
                }
            }
            while (position is not null);

            Assert.Equal(returned.Count, returned.Select(r => r.WebhookId).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(snapshot, returned);
        }

        Assert.Equal(created, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));
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
            await _store.RecordAsync(Account, Item($"w{i:D4}", i, (WebhookStatus)(i % 3)));
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
                await _store.RecordAsync(Account, item);
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
                var slice = await _store.ReadAsync(Account, _all, position, limit);
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
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Interlocked.Read(ref writes) <= after)
            {
                if (writerTasks.FirstOrDefault(t => t.IsCompleted) is { } ended)
                {
                    await ended;
                    Assert.Fail("A writer stopped early.");
                }

                Assert.True(DateTime.UtcNow < deadline, "The writers made no progress in 10 s.");
                await Task.Delay(1);
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
        await _store.RecordAsync(Account, Item("a", 1));

        var thrown = await Record.ExceptionAsync(() =>
            _store.ReadAsync(Account, _all, new WebhookLogPosition(snapshot, _t0, null, null), 10));

        Assert.IsType<FormatException>(thrown);
    }

    [Theory]
    [InlineData("5:3:")]
    [InlineData("1:2:9999999")]
    public async Task A_forged_snapshot_with_an_after_row_is_refused_with_a_FormatException(string snapshot)
    {
        await _store.RecordAsync(Account, Item("a", 1));

        var thrown = await Record.ExceptionAsync(() =>
            _store.ReadAsync(Account, _all, new WebhookLogPosition(snapshot, _t0, _t0.AddMinutes(5), W("z")), 10));

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
        await _store.RecordAsync(Account, Item("a", 1));
        await _store.RecordAsync(Account, Item("a", 2, WebhookStatus.Failed));
        await _store.RecordAsync(Account, Item("b", 0));
        await _store.RecordAsync("globex", Item("c", 3));

        var slice = await _store.ReadAsync(Account, _all, new WebhookLogPosition(snapshot, _t0, null, null), 10);

        Assert.Equal([Item("a", 2, WebhookStatus.Failed), Item("b", 0)], slice.Items);
        Assert.Null(slice.Next);
    }

    [Fact]
    public async Task A_well_formed_snapshot_from_before_any_write_reads_as_empty()
    {
        await _store.RecordAsync(Account, Item("a", 1));

        var slice = await _store.ReadAsync(Account, _all, new WebhookLogPosition("1:2:", _t0, null, null), 10);

        Assert.Empty(slice.Items);
        Assert.Null(slice.Next);
    }

    [Fact]
    public async Task Replaced_row_versions_are_pruned_only_after_the_cursor_lifetime()
    {
        await _store.RecordAsync(Account, Item("a", 2));
        await _store.RecordAsync(Account, Item("b", 1));
        var first = await _store.ReadAsync(Account, _all, null, 1);
        Assert.Equal(Ws("a"), Ids(first.Items));
        await _store.RecordAsync(Account, Item("b", 3, WebhookStatus.Succeeded));

        // Pruning goes by the database's clock: age the closed version in place.
        await AgeReplacedVersionsAsync(WebhookLogCursor.Lifetime - TimeSpan.FromMinutes(1));
        var prunedWithinLifetime = await _store.PruneAsync();
        var withinLifetime = await _store.ReadAsync(Account, _all, first.Next, 10);

        // Past the lifetime and the margin for clock skew between service and database.
        await AgeReplacedVersionsAsync(TimeSpan.FromMinutes(12));
        var prunedAfterLifetime = await _store.PruneAsync();
        var afterLifetime = await _store.ReadAsync(Account, _all, first.Next, 10);

        Assert.Equal(0, prunedWithinLifetime);
        Assert.Equal(Item("b", 1), Assert.Single(withinLifetime.Items));
        Assert.Equal(1, prunedAfterLifetime);
        Assert.Empty(afterLifetime.Items);
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL"));
        Assert.Equal(Ws("b", "a"), Ids((await _store.ReadAsync(Account, _all, null, 10)).Items));
    }

    [Fact]
    public async Task Current_rows_are_never_pruned_however_old()
    {
        await _store.RecordAsync(Account, Item("old", 0));
        await _store.RecordAsync(Account, Item("replaced", 1));
        await _store.RecordAsync(Account, Item("replaced", 2, WebhookStatus.Failed));
        await _store.RecordAsync("globex", Item("other", 0));

        var pruned = 0;
        for (var day = 0; day < 3; day++)
        {
            await _database.ScalarAsync("WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '1 day' WHERE replaced_at IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");
            await _store.RecordAsync(Account, Item($"new{day}", 10 + day));
            pruned += await _store.PruneAsync();
        }

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal(1, pruned);
        Assert.Equal(Ws("new2", "new1", "new0", "replaced", "old"), Ids(slice.Items));
        Assert.Equal(WebhookStatus.Failed, slice.Items[3].Status);
        Assert.Single((await _store.ReadAsync("globex", _all, null, 10)).Items);
        Assert.Equal(6, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL"));
        Assert.Equal(6, await _database.ScalarAsync("SELECT count(*) FROM webhook_log"));
    }

    [Fact]
    public async Task Pruning_keeps_the_old_versions_a_live_cursor_still_needs()
    {
        for (var i = 0; i < 4; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i}", i));
        }

        // Replaced more than a lifetime before the pass starts: no cursor can need the old version.
        await _store.RecordAsync(Account, Item("w0", 10));
        await _database.ScalarAsync(
            $"WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '2 hours' WHERE webhook_id = '{W("w0")}' AND replaced_xid IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");
        var first = await _store.ReadAsync(Account, _all, null, 1);

        // Replaced during the pass: the pass still needs the old versions for its whole lifetime.
        await _store.RecordAsync(Account, Item("w1", 11));
        await _store.RecordAsync(Account, Item("w2", 12));
        _clock.Advance(TimeSpan.FromMinutes(59));
        var pruned = await _store.PruneAsync();

        var rest = await ReadPass(_all, 1, first.Next);

        Assert.Equal(1, pruned);
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NOT NULL"));
        Assert.Equal(Ws("w0"), Ids(first.Items));
        Assert.Equal([Item("w3", 3), Item("w2", 2), Item("w1", 1)], rest);
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
            await _store.RecordAsync(Account, item);
        }

        var slice = await _store.ReadAsync(Account, _all, null, 1);
        var rest = await ReadPass(_all, 1, slice.Next);
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
        await _store.RecordAsync(Account, Item("a", 0) with { LastActivityUtc = recorded });

        var read = Assert.Single((await _store.ReadAsync(Account, _all, null, 10)).Items);

        Assert.Equal(recorded.AddTicks(-(recorded.Ticks % 10)), read.LastActivityUtc);
        Assert.Equal(DateTimeKind.Utc, read.LastActivityUtc.Kind);
    }

    private async Task<List<WebhookLogItem>> ReadPass(WebhookLogFilter filter, int limit, WebhookLogPosition? from = null)
    {
        var items = new List<WebhookLogItem>();
        var position = from;
        var pages = 0;
        do
        {
            var slice = await _store.ReadAsync(Account, filter, position, limit);
            items.AddRange(slice.Items);
            position = slice.Next;
            Assert.True(++pages < 10_000, "The pass does not end.");
        }
        while (position is not null);

        return items;
    }

    /// <summary>Runs the statements <see cref="PostgresWebhookLogStore.RecordAsync"/> runs, on the caller's connection and transaction.</summary>
    private static async Task ExecuteRecordStatementsAsync(NpgsqlConnection connection, WebhookLogItem item)
    {
        static string Sql(string name) =>
            (string)typeof(PostgresWebhookLogStore).GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;

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
            },
        };
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>A webhook id of the real width (13 characters, the column is char(13)) from a short name.</summary>
    private static string W(string name) => name.PadLeft(13, '0');

    private static List<string> Ws(params string[] names) => names.Select(W).ToList();

    private static WebhookLogItem Item(
        string name,
        int minute,
        WebhookStatus status = WebhookStatus.InProgress,
        ListeningPost post = ListeningPost.Transactional,
        int attempts = 1) =>
        new(W(name), $"r-{name}", post, _t0.AddMinutes(minute), null, null, attempts, status);

    private static List<string> Ids(IEnumerable<WebhookLogItem> items) => items.Select(i => i.WebhookId).ToList();

    private Task<long> AgeReplacedVersionsAsync(TimeSpan age) => _database.ScalarAsync(
        $"WITH aged AS (UPDATE webhook_log SET replaced_at = replaced_at - interval '{(long)age.TotalSeconds} seconds' WHERE replaced_at IS NOT NULL RETURNING 1) SELECT count(*) FROM aged");

}
