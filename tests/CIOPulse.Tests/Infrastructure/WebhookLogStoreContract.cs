using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Tests.Unit;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The contract of <see cref="IWebhookLogStore"/>, written once and run against every store: one
/// current row per webhook, (activity desc, webhook id desc) order, filters, account isolation,
/// paging that returns each webhook exactly once, and passes that show the snapshot their first page
/// was taken at while rows move. Each store's test class derives from this, says how to make its
/// store, and adds the tests only that store needs.
/// </summary>
public abstract class WebhookLogStoreContract<TStore> : IAsyncLifetime
    where TStore : class, IWebhookLogStore
{
    protected const string Account = "acme";

    protected static readonly DateTime T0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    protected static readonly WebhookLogFilter All = new(null, null);

    /// <param name="clockStart">Where <see cref="Clock"/> starts.</param>
    protected WebhookLogStoreContract(DateTimeOffset clockStart)
    {
        Clock = new ManualTimeProvider(clockStart);
    }

    /// <summary>The store's clock, which dates snapshots (and, in memory, replaced versions).</summary>
    protected ManualTimeProvider Clock { get; }

    protected TStore Store { get; private set; } = null!;

    /// <summary>A regular expression that every snapshot this store puts in a position matches.</summary>
    protected abstract string SnapshotPattern { get; }

    /// <summary>A new, empty store on <see cref="Clock"/>.</summary>
    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>
    /// Checks, where the store lets a test see them, the row versions it keeps beneath its reads:
    /// exactly one current version for each webhook, <paramref name="current"/> of them in all, and,
    /// unless null, <paramref name="replaced"/> replaced versions stamped with when they were replaced.
    /// </summary>
    protected abstract Task AssertStoredVersionsAsync(long current, long? replaced = null);

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_backlog_counts_current_InProgress_rows_of_every_account_and_those_after_a_failed_attempt()
    {
        Assert.Equal(new WebhookBacklog(0, 0), await Store.CountInProgressAsync());
        await Store.RecordAsync(Account, Item("a", 1, attempts: 0));
        await Store.RecordAsync(Account, Item("b", 2, attempts: 2));
        await Store.RecordAsync(Account, Item("c", 3, WebhookStatus.Succeeded));
        await Store.RecordAsync("other", Item("d", 4, attempts: 1));

        // b's older InProgress version is replaced: only current rows count.
        await Store.RecordAsync(Account, Item("b", 5, WebhookStatus.Failed, attempts: 5));

        Assert.Equal(new WebhookBacklog(InProgress: 2, RetriesPending: 1), await Store.CountInProgressAsync());
    }

    [Fact]
    public async Task Expiry_candidates_are_current_finished_unexpired_rows_before_the_cutoff_of_every_account_oldest_first()
    {
        await Store.RecordAsync(Account, Item("a", 3, WebhookStatus.Succeeded));
        await Store.RecordAsync(Account, Item("b", 1, WebhookStatus.Failed, attempts: 5));
        await Store.RecordAsync("other", Item("c", 2, WebhookStatus.Succeeded));
        await Store.RecordAsync(Account, Item("d", 1, WebhookStatus.InProgress));
        await Store.RecordAsync(Account, Item("e", 2, WebhookStatus.Succeeded) with { Expired = true });
        await Store.RecordAsync(Account, Item("f", 10, WebhookStatus.Succeeded));

        // g was finished and old, then resent: its current row is younger than the cut-off.
        await Store.RecordAsync(Account, Item("g", 0, WebhookStatus.Succeeded));
        await Store.RecordAsync(Account, Item("g", 20, WebhookStatus.Succeeded, attempts: 2));

        var candidates = await Store.FindExpiryCandidatesAsync(T0.AddMinutes(10), null, 10);

        Assert.Equal(
            [new RetentionCandidate(W("b"), T0.AddMinutes(1)), new RetentionCandidate(W("c"), T0.AddMinutes(2)), new RetentionCandidate(W("a"), T0.AddMinutes(3))],
            candidates);
    }

    [Fact]
    public async Task Expiry_candidates_come_in_batches_by_keyset_on_activity_then_webhook_id()
    {
        for (var i = 0; i < 7; i++)
        {
            // Ties on activity: the webhook id decides.
            await Store.RecordAsync(Account, Item("w" + i, i / 2, WebhookStatus.Succeeded));
        }

        var seen = new List<RetentionCandidate>();
        RetentionCandidate? after = null;
        var batches = new List<int>();
        do
        {
            var batch = await Store.FindExpiryCandidatesAsync(T0.AddHours(1), after, 3);
            batches.Add(batch.Count);
            seen.AddRange(batch);
            after = batch.Count == 3 ? batch[^1] : null;
        }
        while (after is not null);

        Assert.Equal([3, 3, 1], batches);
        Assert.Equal(
            [.. Enumerable.Range(0, 7).Select(i => new RetentionCandidate(W("w" + i), T0.AddMinutes(i / 2)))
                .OrderBy(c => c.LastActivityUtc).ThenBy(c => c.WebhookId, StringComparer.Ordinal)],
            seen);
    }

    [Fact]
    public async Task Recording_a_webhook_again_keeps_one_current_row_with_the_newest_version()
    {
        await Store.RecordAsync(Account, Item("a", 1, WebhookStatus.InProgress, attempts: 1));
        var latest = Item("a", 2, WebhookStatus.Succeeded, attempts: 2) with { LastResponseCode = 200, LastResponse = "ok" };
        await Store.RecordAsync(Account, latest);
        await Store.RecordAsync(Account, Item("b", 1));

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal([latest, Item("b", 1)], slice.Items);
        Assert.Null(slice.Next);
        await AssertStoredVersionsAsync(current: 2, replaced: 1);
    }

    [Fact]
    public async Task A_test_webhook_s_row_keeps_its_test_mark_through_every_version()
    {
        await Store.RecordNewAsync(Account, Item("t", 1, attempts: 0) with { Test = true });
        await Store.RecordAsync(Account, Item("s", 2));
        Assert.Equal([false, true], (await Store.ReadAsync(Account, All, null, 10)).Items.Select(item => item.Test));

        var failed = Item("t", 3, WebhookStatus.Failed) with { Test = true, LastResponseCode = 500, LastResponse = "down" };
        await Store.RecordAsync(Account, failed);

        Assert.Equal([failed, Item("s", 2)], (await Store.ReadAsync(Account, All, null, 10)).Items);
    }

    [Fact]
    public async Task A_first_row_is_added_only_while_the_webhook_has_none()
    {
        var first = Item("a", 1, WebhookStatus.InProgress);
        await Store.RecordNewAsync(Account, first);
        var moved = Item("a", 2, WebhookStatus.Succeeded, attempts: 1) with { LastResponseCode = 200, LastResponse = "ok" };
        await Store.RecordAsync(Account, moved);

        // A repeated completion of the same webhook: the row that moved on stays.
        await Store.RecordNewAsync(Account, Item("a", 3, WebhookStatus.InProgress));
        await Store.RecordNewAsync(Account, Item("b", 1));

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal([moved, Item("b", 1)], slice.Items);
        await AssertStoredVersionsAsync(current: 2, replaced: 1);
    }

    [Fact]
    public async Task The_last_recorded_version_wins_even_with_an_older_activity_time()
    {
        await Store.RecordAsync(Account, Item("a", 5, WebhookStatus.InProgress));
        var latest = Item("a", 3, WebhookStatus.Failed);
        await Store.RecordAsync(Account, latest);

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal(latest, Assert.Single(slice.Items));
    }

    [Fact]
    public async Task Read_returns_newest_activity_first_with_webhook_id_descending_on_ties()
    {
        await Store.RecordAsync(Account, Item("a", 1));
        await Store.RecordAsync(Account, Item("b", 3));
        await Store.RecordAsync(Account, Item("c", 2));
        await Store.RecordAsync(Account, Item("d", 2));
        await Store.RecordAsync(Account, Item("e", 0));
        await Store.RecordAsync(Account, Item("B", 3));

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal(Ws("b", "B", "d", "c", "a", "e"), Ids(slice.Items));
    }

    [Fact]
    public async Task Ties_on_activity_page_by_webhook_id_descending_without_loss_or_repeat()
    {
        // Every row has the same activity time: the keyset is decided by the webhook id alone.
        var ids = Enumerable.Range(0, 17).Select(i => $"{i:x}").ToList();
        foreach (var id in ids)
        {
            await Store.RecordAsync(Account, Item(id, 7));
        }

        var items = await ReadPass(All, 3);

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
            await Store.RecordAsync(Account, Item(ids[i], i, statuses[i % 3], i % 2 == 0 ? ListeningPost.Transactional : ListeningPost.Relationship));
        }

        var slice = await Store.ReadAsync(Account, new WebhookLogFilter(status, post), null, 10);

        Assert.Equal(Ws(expected.Split(',')), Ids(slice.Items));
        Assert.All(slice.Items, item => Assert.True(new WebhookLogFilter(status, post).Matches(item)));
    }

    [Fact]
    public async Task Search_finds_a_webhook_by_its_id_or_the_webhooks_of_a_response_id_with_the_other_filters()
    {
        await Store.RecordAsync(Account, Item("a", 1) with { ResponseId = "shared" });
        await Store.RecordAsync(Account, Item("b", 2, WebhookStatus.Failed, ListeningPost.Relationship) with { ResponseId = "shared" });
        await Store.RecordAsync(Account, Item("c", 3) with { ResponseId = W("a") });
        await Store.RecordAsync("globex", Item("d", 4) with { ResponseId = "shared" });

        Assert.Equal(Ws("b", "a"), Ids((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, "shared"), null, 10)).Items));
        Assert.Equal(Ws("b"), Ids((await Store.ReadAsync(Account, new WebhookLogFilter(WebhookStatus.Failed, null, "shared"), null, 10)).Items));
        Assert.Equal(Ws("a"), Ids((await Store.ReadAsync(Account, new WebhookLogFilter(null, ListeningPost.Transactional, "shared"), null, 10)).Items));

        // A 13-character search matches a Webhook_ID and a Response_ID alike.
        Assert.Equal(Ws("c", "a"), Ids((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, W("a")), null, 10)).Items));
        Assert.Equal(Ws("b"), Ids((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, W("b")), null, 10)).Items));
        Assert.Empty((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, W("d")), null, 10)).Items);
        Assert.Empty((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, W("b") + "x"), null, 10)).Items);
        Assert.Empty((await Store.ReadAsync(Account, new WebhookLogFilter(null, null, "share"), null, 10)).Items);
    }

    [Fact]
    public async Task A_search_pass_pages_through_every_webhook_of_a_response_once()
    {
        for (var i = 0; i < 9; i++)
        {
            await Store.RecordAsync(Account, Item($"s{i}", i) with { ResponseId = i % 2 == 0 ? "even" : "odd" });
        }

        var items = await ReadPass(new WebhookLogFilter(null, null, "even"), 2);

        Assert.Equal(Ws("s8", "s6", "s4", "s2", "s0"), Ids(items));
    }

    [Fact]
    public async Task Attempts_are_counted_per_hour_with_the_rows_they_changed()
    {
        var hour = new DateTime(2025, 1, 1, 9, 0, 0, DateTimeKind.Utc);
        await Store.RecordAsync(Account, Item("a", 1), new AttemptTally(hour.AddMinutes(5), Succeeded: false));
        await Store.RecordAsync(Account, Item("a", 2), new AttemptTally(hour.AddMinutes(59), Succeeded: true));
        await Store.RecordAsync(Account, Item("b", 3), new AttemptTally(hour.AddHours(1), Succeeded: false));
        await Store.RecordAsync(Account, Item("b", 4), new AttemptTally(hour.AddHours(1).AddMinutes(1), Succeeded: false));
        await Store.RecordAsync(Account, Item("c", 5));
        await Store.RecordNewAsync(Account, Item("d", 6));
        await Store.RecordAsync("globex", Item("e", 7), new AttemptTally(hour, Succeeded: true));

        Assert.Equal(
            [new HourlyAttempts(hour, 1, 1), new HourlyAttempts(hour.AddHours(1), 0, 2)],
            await Store.ReadAttemptsPerHourAsync(Account, hour));
        Assert.Equal([new HourlyAttempts(hour.AddHours(1), 0, 2)], await Store.ReadAttemptsPerHourAsync(Account, hour.AddHours(1)));
        Assert.Equal([new HourlyAttempts(hour, 1, 0)], await Store.ReadAttemptsPerHourAsync("globex", hour.AddHours(-5)));
        Assert.Empty(await Store.ReadAttemptsPerHourAsync("initech", hour));
    }

    [Fact]
    public async Task Filtered_paging_returns_each_matching_webhook_once()
    {
        for (var i = 0; i < 30; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i:D2}", i, i % 3 == 0 ? WebhookStatus.Failed : WebhookStatus.Succeeded));
        }

        var items = await ReadPass(new WebhookLogFilter(WebhookStatus.Failed, null), 3);

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 0).Reverse().Select(i => W($"w{i:D2}")), Ids(items));
    }

    [Fact]
    public async Task Accounts_do_not_see_each_others_rows()
    {
        await Store.RecordAsync("acme", Item("a", 1));
        await Store.RecordAsync("globex", Item("b", 2));
        await Store.RecordAsync("globex", Item("c", 3, WebhookStatus.Failed));

        var acme = await Store.ReadAsync("acme", All, null, 10);
        var globex = await Store.ReadAsync("globex", All, null, 10);
        var globexFailed = await Store.ReadAsync("globex", new WebhookLogFilter(WebhookStatus.Failed, null), null, 10);
        var unknown = await Store.ReadAsync("initech", All, null, 10);

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
            await Store.RecordAsync(Account, Item($"a{i}", i * 2));
            await Store.RecordAsync("acmf", Item($"b{i}", i * 2 + 1));
            await Store.RecordAsync("acm", Item($"c{i}", i * 2));
        }

        var items = await ReadPass(All, 3);

        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => W($"a{i}")), Ids(items));
    }

    [Fact]
    public async Task Account_ids_are_case_sensitive()
    {
        await Store.RecordAsync("acme", Item("a", 1));

        Assert.Empty((await Store.ReadAsync("ACME", All, null, 10)).Items);
        Assert.Single((await Store.ReadAsync("acme", All, null, 10)).Items);
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
            await Store.RecordAsync(Account, Item($"w{i:D2}", i % 7));
        }

        var pages = new List<WebhookLogSlice>();
        WebhookLogPosition? position = null;
        do
        {
            var slice = await Store.ReadAsync(Account, All, position, limit);
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
            await Store.RecordAsync(Account, Item($"w{i}", i));
        }

        var startedUtc = Clock.GetUtcNow().UtcDateTime;
        var first = await Store.ReadAsync(Account, All, null, 3);
        Clock.Advance(TimeSpan.FromMinutes(10));
        await Store.RecordAsync(Account, Item("w0", 100));
        var second = await Store.ReadAsync(Account, All, first.Next, 3);

        Assert.NotNull(first.Next);
        Assert.NotNull(second.Next);
        Assert.Equal(startedUtc, first.Next.SnapshotUtc);
        Assert.Equal(startedUtc, second.Next.SnapshotUtc);
        Assert.Equal(first.Next.Snapshot, second.Next.Snapshot);
        Assert.Matches(SnapshotPattern, first.Next.Snapshot);
        Assert.Equal((first.Items[^1].LastActivityUtc, first.Items[^1].WebhookId), (first.Next.AfterLastActivityUtc!.Value, first.Next.AfterWebhookId));
        Assert.Equal(Ws("w5", "w4", "w3"), Ids(second.Items));
    }

    [Fact]
    public async Task A_pass_shows_the_snapshot_while_rows_move_change_and_appear()
    {
        for (var i = 0; i < 12; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i:D2}", i));
        }

        var expected = Enumerable.Range(0, 12).Reverse().Select(i => Item($"w{i:D2}", i)).ToList();

        var first = await Store.ReadAsync(Account, All, null, 4);
        Assert.Equal(expected[..4], first.Items);

        // Already returned rows move to the top or to the bottom, or change status in place.
        await Store.RecordAsync(Account, Item("w10", 100, WebhookStatus.Succeeded, attempts: 2));
        await Store.RecordAsync(Account, Item("w09", -100, WebhookStatus.Failed, attempts: 5));
        await Store.RecordAsync(Account, Item("w08", 8, WebhookStatus.Failed, attempts: 5));

        // Rows on later pages move up past the cursor, down, or change status in place.
        await Store.RecordAsync(Account, Item("w02", 200, WebhookStatus.Succeeded, attempts: 2));
        await Store.RecordAsync(Account, Item("w06", -200, WebhookStatus.Failed, attempts: 5));
        await Store.RecordAsync(Account, Item("w05", 5, WebhookStatus.Succeeded, attempts: 3));
        await Store.RecordAsync(Account, Item("w03", 9, WebhookStatus.Succeeded, attempts: 2));

        // Brand-new webhooks appear at the top, in the middle and at the bottom.
        await Store.RecordAsync(Account, Item("n1", 300));
        await Store.RecordAsync(Account, Item("n2", 4));
        await Store.RecordAsync(Account, Item("n3", -300));

        var rest = await ReadPass(All, 4, first.Next);

        Assert.Equal(expected, first.Items.Concat(rest));

        // A new pass sees the present.
        var fresh = await ReadPass(All, 4);
        Assert.Equal(Ws("n1", "w02", "w10", "w11", "w03", "w08", "w07", "w05", "w04", "n2", "w01", "w00", "w09", "w06", "n3"), Ids(fresh));
    }

    [Fact]
    public async Task A_filtered_pass_selects_rows_by_their_status_at_the_snapshot()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i:D2}", i, i % 2 == 0 ? WebhookStatus.InProgress : WebhookStatus.Failed));
        }

        var inProgress = new WebhookLogFilter(WebhookStatus.InProgress, null);
        var first = await Store.ReadAsync(Account, inProgress, null, 2);
        Assert.Equal(Ws("w08", "w06"), Ids(first.Items));

        await Store.RecordAsync(Account, Item("w02", 50, WebhookStatus.Succeeded, attempts: 2));
        await Store.RecordAsync(Account, Item("w03", 51, WebhookStatus.InProgress, attempts: 6));
        await Store.RecordAsync(Account, Item("w04", 4, WebhookStatus.Failed, attempts: 5));

        var rest = await ReadPass(inProgress, 2, first.Next);

        Assert.Equal(Ws("w04", "w02", "w00"), Ids(rest));
        Assert.All(rest, r => Assert.Equal(WebhookStatus.InProgress, r.Status));
    }

    [Fact]
    public async Task A_new_pass_sees_the_changes_made_during_the_previous_one()
    {
        for (var i = 0; i < 6; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i:D2}", i));
        }

        var first = await Store.ReadAsync(Account, All, null, 2);
        await Store.RecordAsync(Account, Item("w00", 100, WebhookStatus.Succeeded));
        await Store.RecordAsync(Account, Item("n1", 50));
        await ReadPass(All, 2, first.Next);

        var fresh = await ReadPass(All, 2);

        Assert.Equal(Ws("w00", "n1", "w05", "w04", "w03", "w02", "w01"), Ids(fresh));
        Assert.Equal(WebhookStatus.Succeeded, fresh[0].Status);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20250101)]
    public async Task Passes_return_every_snapshot_webhook_exactly_once_under_random_updates(int seed)
    {
        const int webhooks = 500;
        const int pageSize = 7;
        var random = new Random(seed);
        var model = new Dictionary<string, WebhookLogItem>(StringComparer.Ordinal);
        var latestMinute = 0;
        var created = 0;

        async Task Write(WebhookLogItem item)
        {
            model[item.WebhookId] = item;
            await Store.RecordAsync(Account, item);
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
                0 => All,
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
                var slice = await Store.ReadAsync(Account, filter, position, pageSize);
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

        await AssertStoredVersionsAsync(current: created);
    }

    /// <summary>Reads pages from <paramref name="from"/> (a new pass when null) until the pass ends.</summary>
    protected async Task<List<WebhookLogItem>> ReadPass(WebhookLogFilter filter, int limit, WebhookLogPosition? from = null)
    {
        var items = new List<WebhookLogItem>();
        var position = from;
        var pages = 0;
        do
        {
            var slice = await Store.ReadAsync(Account, filter, position, limit);
            items.AddRange(slice.Items);
            position = slice.Next;
            Assert.True(++pages < 10_000, "The pass does not end.");
        }
        while (position is not null);

        return items;
    }

    /// <summary>A webhook id of the real width (13 characters, <see cref="WebhookIds.Length"/>) from a short name.</summary>
    protected static string W(string name) => name.PadLeft(WebhookIds.Length, '0');

    protected static List<string> Ws(params string[] names) => names.Select(W).ToList();

    /// <summary>Webhook <paramref name="name"/> as last active <paramref name="minute"/> minutes after <see cref="T0"/>.</summary>
    protected static WebhookLogItem Item(
        string name,
        int minute,
        WebhookStatus status = WebhookStatus.InProgress,
        ListeningPost post = ListeningPost.Transactional,
        int attempts = 1) =>
        new(W(name), $"r-{name}", post, T0.AddMinutes(minute), null, null, attempts, status);

    protected static List<string> Ids(IEnumerable<WebhookLogItem> items) => items.Select(i => i.WebhookId).ToList();
}
