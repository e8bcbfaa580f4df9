using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Tests.Infrastructure;
using CIOPulse.Persistence.Memory;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// The embedded mode's Webhook Log index against the store contract
/// (<see cref="WebhookLogStoreContract{TStore}"/>), plus what is its own: rows keyed per account,
/// pruning of replaced versions by later writes on the store's clock, and its version-number snapshots.
/// </summary>
public sealed class InMemoryWebhookLogStoreTests() : WebhookLogStoreContract<InMemoryWebhookLogStore>(new DateTimeOffset(T0))
{
    protected override string SnapshotPattern => "^[0-9]+$";

    protected override Task<InMemoryWebhookLogStore> CreateStoreAsync() => Task.FromResult(new InMemoryWebhookLogStore(Clock));

    // The in-memory store shows nothing beneath its reads: the contract's reads are its whole check.
    protected override Task AssertStoredVersionsAsync(long current, long? replaced = null) => Task.CompletedTask;

    [Fact]
    public async Task The_same_webhook_id_in_two_accounts_is_a_separate_row_in_each()
    {
        // Keyed per account, unlike PostgreSQL's index, where a webhook id is one row across accounts
        // (real ids are derived from the account, so they never meet there).
        await Store.RecordAsync("acme", Item("a", 1));
        await Store.RecordAsync("globex", Item("b", 2));
        await Store.RecordAsync("globex", Item("a", 3, WebhookStatus.Failed));

        Assert.Equal(Item("a", 1), Assert.Single((await Store.ReadAsync("acme", All, null, 10)).Items));
        Assert.Equal(Ws("a", "b"), Ids((await Store.ReadAsync("globex", All, null, 10)).Items));
    }

    [Fact]
    public async Task Replaced_row_versions_are_pruned_by_writes_after_the_cursor_lifetime()
    {
        await Store.RecordAsync(Account, Item("a", 2));
        await Store.RecordAsync(Account, Item("b", 1));
        var first = await Store.ReadAsync(Account, All, null, 1);
        Assert.Equal(Ws("a"), Ids(first.Items));
        await Store.RecordAsync(Account, Item("b", 3, WebhookStatus.Succeeded));

        Clock.Advance(WebhookLogCursor.Lifetime);
        await Store.RecordAsync(Account, Item("c", 4));
        var withinLifetime = await Store.ReadAsync(Account, All, first.Next, 10);

        Clock.Advance(TimeSpan.FromTicks(1));
        await Store.RecordAsync(Account, Item("d", 5));
        var afterLifetime = await Store.ReadAsync(Account, All, first.Next, 10);

        Assert.Equal(Item("b", 1), Assert.Single(withinLifetime.Items));
        Assert.Empty(afterLifetime.Items);
    }

    [Fact]
    public async Task Current_rows_are_never_pruned_however_old()
    {
        await Store.RecordAsync(Account, Item("old", 0));
        await Store.RecordAsync(Account, Item("replaced", 1));
        await Store.RecordAsync(Account, Item("replaced", 2, WebhookStatus.Failed));

        for (var day = 0; day < 3; day++)
        {
            Clock.Advance(TimeSpan.FromDays(1));
            await Store.RecordAsync(Account, Item($"new{day}", 10 + day));
        }

        var slice = await Store.ReadAsync(Account, All, null, 10);

        Assert.Equal(Ws("new2", "new1", "new0", "replaced", "old"), Ids(slice.Items));
        Assert.Equal(WebhookStatus.Failed, slice.Items[3].Status);
    }

    [Fact]
    public async Task Pruning_keeps_the_old_versions_a_live_cursor_still_needs()
    {
        for (var i = 0; i < 4; i++)
        {
            await Store.RecordAsync(Account, Item($"w{i}", i));
        }

        // Versions replaced after the snapshot stay readable through its cursor for the whole lifetime.
        await Store.RecordAsync(Account, Item("w0", 10));
        Clock.Advance(WebhookLogCursor.Lifetime + TimeSpan.FromMinutes(1));
        var first = await Store.ReadAsync(Account, All, null, 1);
        await Store.RecordAsync(Account, Item("w1", 11));
        Clock.Advance(TimeSpan.FromMinutes(30));
        await Store.RecordAsync(Account, Item("w2", 12));
        Clock.Advance(TimeSpan.FromMinutes(29));
        await Store.RecordAsync(Account, Item("n", 13));

        var rest = await ReadPass(All, 1, first.Next);

        Assert.Equal(Ws("w0"), Ids(first.Items));
        Assert.Equal(Ws("w3", "w2", "w1"), Ids(rest));
        Assert.Equal(T0.AddMinutes(2), rest[1].LastActivityUtc);
    }

    [Theory]
    [InlineData("8712:8716:8713,8714")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    public async Task A_position_whose_snapshot_this_store_did_not_make_is_refused(string snapshot)
    {
        await Store.RecordAsync(Account, Item("a", 1));

        await Assert.ThrowsAsync<FormatException>(() =>
            Store.ReadAsync(Account, All, new WebhookLogPosition(snapshot, T0, null, null), 10));
    }
}
