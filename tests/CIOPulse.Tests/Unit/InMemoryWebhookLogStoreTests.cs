using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;

namespace CIOPulse.Tests.Unit;

public sealed class InMemoryWebhookLogStoreTests
{
    private const string Account = "acme";

    private static readonly DateTime _t0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly WebhookLogFilter _all = new(null, null);

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(_t0));
    private readonly InMemoryWebhookLogStore _store;

    public InMemoryWebhookLogStoreTests()
    {
        _store = new InMemoryWebhookLogStore(_clock);
    }

    [Fact]
    public async Task Recording_a_webhook_again_replaces_its_row_with_the_newest_version()
    {
        await _store.RecordAsync(Account, Item("a", 1, WebhookStatus.InProgress, attempts: 1));
        var latest = Item("a", 2, WebhookStatus.Succeeded, attempts: 2) with { LastResponseCode = 200, LastResponse = "ok" };
        await _store.RecordAsync(Account, latest);

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal(latest, Assert.Single(slice.Items));
        Assert.Null(slice.Next);
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

        Assert.Equal(["b", "B", "d", "c", "a", "e"], Ids(slice.Items));
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

        Assert.Equal(expected.Split(','), Ids(slice.Items));
    }

    [Fact]
    public async Task Filtered_paging_returns_each_matching_webhook_once()
    {
        for (var i = 0; i < 30; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i:D2}", i, i % 3 == 0 ? WebhookStatus.Failed : WebhookStatus.Succeeded));
        }

        var items = await ReadPass(new WebhookLogFilter(WebhookStatus.Failed, null), 3);

        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 0).Reverse().Select(i => $"w{i:D2}"), Ids(items));
    }

    [Fact]
    public async Task Accounts_do_not_see_each_others_rows()
    {
        await _store.RecordAsync("acme", Item("a", 1));
        await _store.RecordAsync("globex", Item("b", 2));
        await _store.RecordAsync("globex", Item("a", 3, WebhookStatus.Failed));

        var acme = await _store.ReadAsync("acme", _all, null, 10);
        var globex = await _store.ReadAsync("globex", _all, null, 10);
        var unknown = await _store.ReadAsync("initech", _all, null, 10);

        Assert.Equal(Item("a", 1), Assert.Single(acme.Items));
        Assert.Equal(["a", "b"], Ids(globex.Items));
        Assert.Empty(unknown.Items);
        Assert.Null(unknown.Next);
    }

    [Fact]
    public async Task Account_ids_are_case_sensitive()
    {
        await _store.RecordAsync("acme", Item("a", 1));

        Assert.Empty((await _store.ReadAsync("ACME", _all, null, 10)).Items);
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
        Assert.Equal(["w08", "w06"], Ids(first.Items));

        await _store.RecordAsync(Account, Item("w02", 50, WebhookStatus.Succeeded, attempts: 2));
        await _store.RecordAsync(Account, Item("w03", 51, WebhookStatus.InProgress, attempts: 6));
        await _store.RecordAsync(Account, Item("w04", 4, WebhookStatus.Failed, attempts: 5));

        var rest = await ReadPass(inProgress, 2, first.Next);

        Assert.Equal(["w04", "w02", "w00"], Ids(rest));
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

        Assert.Equal(["w00", "n1", "w05", "w04", "w03", "w02", "w01"], Ids(fresh));
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
            var snapshot = model.Values
                .OrderByDescending(x => x.LastActivityUtc)
                .ThenByDescending(x => x.WebhookId, StringComparer.Ordinal)
                .ToList();
            var returned = new List<WebhookLogItem>();
            WebhookLogPosition? position = null;
            var pages = 0;
            do
            {
                var slice = await _store.ReadAsync(Account, _all, position, pageSize);
                returned.AddRange(slice.Items);
                position = slice.Next;
                pages++;
                Assert.True(pages <= snapshot.Count, "The pass does not end.");

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
    }

    [Fact]
    public async Task Replaced_row_versions_are_pruned_by_writes_after_the_cursor_lifetime()
    {
        await _store.RecordAsync(Account, Item("a", 2));
        await _store.RecordAsync(Account, Item("b", 1));
        var first = await _store.ReadAsync(Account, _all, null, 1);
        Assert.Equal(["a"], Ids(first.Items));
        await _store.RecordAsync(Account, Item("b", 3, WebhookStatus.Succeeded));

        _clock.Advance(WebhookLogCursor.Lifetime);
        await _store.RecordAsync(Account, Item("c", 4));
        var withinLifetime = await _store.ReadAsync(Account, _all, first.Next, 10);

        _clock.Advance(TimeSpan.FromTicks(1));
        await _store.RecordAsync(Account, Item("d", 5));
        var afterLifetime = await _store.ReadAsync(Account, _all, first.Next, 10);

        Assert.Equal(Item("b", 1), Assert.Single(withinLifetime.Items));
        Assert.Empty(afterLifetime.Items);
    }

    [Fact]
    public async Task Current_rows_are_never_pruned_however_old()
    {
        await _store.RecordAsync(Account, Item("old", 0));
        await _store.RecordAsync(Account, Item("replaced", 1));
        await _store.RecordAsync(Account, Item("replaced", 2, WebhookStatus.Failed));

        for (var day = 0; day < 3; day++)
        {
            _clock.Advance(TimeSpan.FromDays(1));
            await _store.RecordAsync(Account, Item($"new{day}", 10 + day));
        }

        var slice = await _store.ReadAsync(Account, _all, null, 10);

        Assert.Equal(["new2", "new1", "new0", "replaced", "old"], Ids(slice.Items));
        Assert.Equal(WebhookStatus.Failed, slice.Items[3].Status);
    }

    [Fact]
    public async Task Pruning_keeps_the_old_versions_a_live_cursor_still_needs()
    {
        for (var i = 0; i < 4; i++)
        {
            await _store.RecordAsync(Account, Item($"w{i}", i));
        }

        // Versions replaced after the snapshot stay readable through its cursor for the whole lifetime.
        await _store.RecordAsync(Account, Item("w0", 10));
        _clock.Advance(WebhookLogCursor.Lifetime + TimeSpan.FromMinutes(1));
        var first = await _store.ReadAsync(Account, _all, null, 1);
        await _store.RecordAsync(Account, Item("w1", 11));
        _clock.Advance(TimeSpan.FromMinutes(30));
        await _store.RecordAsync(Account, Item("w2", 12));
        _clock.Advance(TimeSpan.FromMinutes(29));
        await _store.RecordAsync(Account, Item("n", 13));

        var rest = await ReadPass(_all, 1, first.Next);

        Assert.Equal(["w0"], Ids(first.Items));
        Assert.Equal(["w3", "w2", "w1"], Ids(rest));
        Assert.Equal(_t0.AddMinutes(2), rest[1].LastActivityUtc);
    }

    [Theory]
    [InlineData("8712:8716:8713,8714")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task A_position_whose_snapshot_this_store_did_not_make_is_refused(string snapshot)
    {
        await _store.RecordAsync(Account, Item("a", 1));

        await Assert.ThrowsAsync<FormatException>(() =>
            _store.ReadAsync(Account, _all, new WebhookLogPosition(snapshot, _t0, null, null), 10));
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

    private static WebhookLogItem Item(
        string id,
        int minute,
        WebhookStatus status = WebhookStatus.InProgress,
        ListeningPost post = ListeningPost.Transactional,
        int attempts = 1) =>
        new(id, $"r-{id}", post, _t0.AddMinutes(minute), null, null, attempts, status);

    private static List<string> Ids(IEnumerable<WebhookLogItem> items) => items.Select(i => i.WebhookId).ToList();
}
