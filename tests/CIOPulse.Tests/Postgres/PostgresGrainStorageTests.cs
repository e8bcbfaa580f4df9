using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The group-committing grain storage (<see cref="PostgresGrainStorage"/>, table grain_state) against
/// the Orleans <see cref="IGrainStorage"/> contract: integer-version ETags, optimistic concurrency on
/// insert, update and clear, and, because concurrent writes share one statement, every write of a
/// batch succeeding or failing on its own.
/// </summary>
public sealed class PostgresGrainStorageTests : IAsyncLifetime
{
    private const string ServiceId = "svc-storage-tests";
    private const string StateName = "delivery";
    private const string GrainType = "webhookdelivery";

    private static readonly Serializer _serializer =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private TestDatabase _database = null!;
    private PostgresGroupCommit _commits = null!;
    private PostgresGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _commits = new PostgresGroupCommit(_database.DataSource);
        _storage = new PostgresGrainStorage(_commits, ServiceId, _serializer);
    }

    public async Task DisposeAsync()
    {
        await _commits.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Writing_a_new_grain_without_an_etag_stores_version_1_and_marks_the_record_existing()
    {
        var state = new GrainState<WebhookDeliveryState>(NewState("r-1"));
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);

        await _storage.WriteStateAsync(StateName, Grain("abc"), state);

        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);
        Assert.Equal(1, await _database.ScalarAsync($"SELECT count(*) FROM grain_state WHERE service_id = '{ServiceId}' AND version = 1"));
    }

    [Fact]
    public async Task Reading_back_returns_every_field_including_datetime_kinds_and_the_attempts_list()
    {
        var written = NewState("r-roundtrip");
        await _storage.WriteStateAsync(StateName, Grain("abc"), new GrainState<WebhookDeliveryState>(written));

        var read = new GrainState<WebhookDeliveryState>();
        await _storage.ReadStateAsync(StateName, Grain("abc"), read);

        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.NotNull(read.State);
        AssertSameState(written, read.State);
    }

    [Fact]
    public async Task Writing_with_the_current_etag_bumps_the_version_to_2_and_stores_the_new_payload()
    {
        var state = new GrainState<WebhookDeliveryState>(NewState("r-1"));
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);

        state.State = NewState("r-2", status: WebhookStatus.Succeeded);
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);

        Assert.Equal("2", state.ETag);
        Assert.True(state.RecordExists);
        Assert.Equal(("2", "r-2"), await ReadEtagAndResponseAsync(Grain("abc")));
        Assert.Equal(WebhookStatus.Succeeded, (await ReadAsync(Grain("abc"))).State?.Status);
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_throws_InconsistentStateException_and_keeps_version_2_and_the_old_payload()
    {
        var current = new GrainState<WebhookDeliveryState>(NewState("r-1"));
        await _storage.WriteStateAsync(StateName, Grain("abc"), current);
        current.State = NewState("r-2");
        await _storage.WriteStateAsync(StateName, Grain("abc"), current);
        Assert.Equal("2", current.ETag);

        var stale = new GrainState<WebhookDeliveryState>(NewState("r-stale"), "1");
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, Grain("abc"), stale));

        Assert.Equal("1", stale.ETag);
        Assert.Equal(("2", "r-2"), await ReadEtagAndResponseAsync(Grain("abc")));
    }

    [Fact]
    public async Task Inserting_without_an_etag_when_the_row_exists_throws_and_leaves_the_row_unchanged()
    {
        await _storage.WriteStateAsync(StateName, Grain("abc"), new GrainState<WebhookDeliveryState>(NewState("r-first")));

        var second = new GrainState<WebhookDeliveryState>(NewState("r-second"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, Grain("abc"), second));

        Assert.Null(second.ETag);
        Assert.False(second.RecordExists);
        Assert.Equal(("1", "r-first"), await ReadEtagAndResponseAsync(Grain("abc")));
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM grain_state"));
    }

    [Fact]
    public async Task Reading_a_missing_grain_reports_no_record_and_a_null_etag()
    {
        await _storage.WriteStateAsync(StateName, Grain("other"), new GrainState<WebhookDeliveryState>(NewState("r-other")));

        // Start from values a read of nothing must overwrite.
        var read = new GrainState<WebhookDeliveryState>(NewState("r-before"), "7") { RecordExists = true };
        await _storage.ReadStateAsync(StateName, Grain("missing"), read);

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    [Fact]
    public async Task Clearing_with_the_current_etag_deletes_the_row_and_a_later_insert_starts_again_at_version_1()
    {
        var state = new GrainState<WebhookDeliveryState>(NewState("r-1"));
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);
        Assert.Equal("2", state.ETag);

        await _storage.ClearStateAsync(StateName, Grain("abc"), state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM grain_state"));
        Assert.False((await ReadAsync(Grain("abc"))).RecordExists);

        await _storage.WriteStateAsync(StateName, Grain("abc"), state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Clearing_with_a_stale_etag_throws_and_keeps_the_row()
    {
        var state = new GrainState<WebhookDeliveryState>(NewState("r-1"));
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);
        await _storage.WriteStateAsync(StateName, Grain("abc"), state);

        var stale = new GrainState<WebhookDeliveryState>(NewState("r-1"), "1") { RecordExists = true };
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.ClearStateAsync(StateName, Grain("abc"), stale));

        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM grain_state"));
        var read = await ReadAsync(Grain("abc"));
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
    }

    [Fact]
    public async Task Two_state_names_of_one_grain_are_stored_separately()
    {
        var first = new GrainState<WebhookDeliveryState>(NewState("r-first"));
        var second = new GrainState<WebhookDeliveryState>(NewState("r-second"));

        await _storage.WriteStateAsync("first", Grain("abc"), first);
        await _storage.WriteStateAsync("second", Grain("abc"), second);
        await _storage.WriteStateAsync("second", Grain("abc"), second);

        Assert.Equal("1", first.ETag);
        Assert.Equal("2", second.ETag);
        Assert.Equal(("1", "r-first"), await ReadEtagAndResponseAsync(Grain("abc"), "first"));
        Assert.Equal(("2", "r-second"), await ReadEtagAndResponseAsync(Grain("abc"), "second"));
    }

    [Fact]
    public async Task Two_grain_ids_with_one_state_name_are_stored_separately()
    {
        var a = new GrainState<WebhookDeliveryState>(NewState("r-a"));
        var b = new GrainState<WebhookDeliveryState>(NewState("r-b"));

        await _storage.WriteStateAsync(StateName, Grain("a"), a);
        await _storage.WriteStateAsync(StateName, GrainId.Create("account", "a"), b);
        await _storage.WriteStateAsync(StateName, GrainId.Create("account", "a"), b);

        Assert.Equal("1", a.ETag);
        Assert.Equal("2", b.ETag);
        Assert.Equal(("1", "r-a"), await ReadEtagAndResponseAsync(Grain("a")));
        Assert.Equal(("2", "r-b"), await ReadEtagAndResponseAsync(GrainId.Create("account", "a")));
        Assert.False((await ReadAsync(Grain("b"))).RecordExists);
    }

    [Fact]
    public async Task Two_service_ids_sharing_the_table_do_not_see_each_other()
    {
        var other = new PostgresGrainStorage(_commits, "svc-other", _serializer);
        var mine = new GrainState<WebhookDeliveryState>(NewState("r-mine"));
        var theirs = new GrainState<WebhookDeliveryState>(NewState("r-theirs"));

        await _storage.WriteStateAsync(StateName, Grain("abc"), mine);
        await other.WriteStateAsync(StateName, Grain("abc"), theirs);

        Assert.Equal("1", theirs.ETag);
        Assert.Equal(("1", "r-mine"), await ReadEtagAndResponseAsync(Grain("abc")));
        var readTheirs = new GrainState<WebhookDeliveryState>();
        await other.ReadStateAsync(StateName, Grain("abc"), readTheirs);
        Assert.Equal(("1", "r-theirs"), (readTheirs.ETag, readTheirs.State?.ResponseId));
    }

    /// <summary>
    /// The row key is "{grainId}/{stateName}", and both a grain key and a state name may contain '/',
    /// so grain "a/b" with state "s" and grain "a" with state "b/s" share one row.
    /// </summary>
    [Fact]
    public async Task A_state_name_containing_a_slash_does_not_collide_with_another_grains_state()
    {
        var nested = new GrainState<WebhookDeliveryState>(NewState("r-nested-grain"));
        var slashed = new GrainState<WebhookDeliveryState>(NewState("r-slashed-state"));

        await _storage.WriteStateAsync("s", Grain("a/b"), nested);
        await _storage.WriteStateAsync("b/s", Grain("a"), slashed);

        Assert.Equal("1", slashed.ETag);
        Assert.Equal(("1", "r-nested-grain"), await ReadEtagAndResponseAsync(Grain("a/b"), "s"));
        Assert.Equal(("1", "r-slashed-state"), await ReadEtagAndResponseAsync(Grain("a"), "b/s"));
    }

    [Fact]
    public async Task Two_hundred_grains_written_in_parallel_all_succeed_with_version_1_in_fewer_transactions_than_writes()
    {
        var states = Enumerable.Range(0, 200)
            .Select(i => (Grain: Grain($"par-{i:D3}"), ResponseId: $"r-{i:D3}"))
            .Select(s => (s.Grain, s.ResponseId, State: new GrainState<WebhookDeliveryState>(NewState(s.ResponseId))))
            .ToList();

        await Task.WhenAll(states.Select(s => _storage.WriteStateAsync(StateName, s.Grain, s.State)));

        Assert.All(states, s => Assert.Equal("1", s.State.ETag));
        Assert.Equal(200, await _database.ScalarAsync($"SELECT count(*) FROM grain_state WHERE service_id = '{ServiceId}' AND version = 1"));
        foreach (var (grain, responseId, _) in states)
        {
            Assert.Equal(("1", responseId), await ReadEtagAndResponseAsync(grain));
        }

        // Rows written by one transaction share its xmin: group commit needs far fewer than one each.
        Assert.InRange(await _database.ScalarAsync("SELECT count(DISTINCT xmin::text) FROM grain_state"), 1, 199);
    }

    [Fact]
    public async Task In_one_batch_exactly_the_writes_with_stale_etags_fail_and_the_others_commit()
    {
        // 75 grains at version 2, so ETag "1" is stale for each and "2" current.
        var existing = Enumerable.Range(0, 75).Select(i => Grain($"mixed-{i:D3}")).ToList();
        foreach (var grain in existing)
        {
            var state = new GrainState<WebhookDeliveryState>(NewState("v1"));
            await _storage.WriteStateAsync(StateName, grain, state);
            state.State = NewState("v2");
            await _storage.WriteStateAsync(StateName, grain, state);
        }

        // 50 stale updates, 25 current updates and 25 inserts of new grains, all in one batch.
        var writes = new List<(GrainId Grain, GrainState<WebhookDeliveryState> State, string Kind)>();
        writes.AddRange(existing.Take(50).Select(g => (g, new GrainState<WebhookDeliveryState>(NewState("stale"), "1"), "stale")));
        writes.AddRange(existing.Skip(50).Select(g => (g, new GrainState<WebhookDeliveryState>(NewState("current"), "2"), "current")));
        writes.AddRange(Enumerable.Range(0, 25).Select(i => (Grain($"mixed-new-{i:D3}"), new GrainState<WebhookDeliveryState>(NewState("new")), "new")));
        Shuffle(writes);

        var outcomes = await InOneBatchAsync(writes.Select(w => (Func<Task>)(() => _storage.WriteStateAsync(StateName, w.Grain, w.State))).ToList());

        for (var i = 0; i < writes.Count; i++)
        {
            var (grain, state, kind) = writes[i];
            if (kind == "stale")
            {
                Assert.IsType<InconsistentStateException>(outcomes[i]);
                Assert.Equal(("2", "v2"), await ReadEtagAndResponseAsync(grain));
            }
            else
            {
                Assert.Null(outcomes[i]);
                var expected = kind == "new" ? "1" : "3";
                Assert.Equal(expected, state.ETag);
                Assert.Equal((expected, kind), await ReadEtagAndResponseAsync(grain));
            }
        }

        Assert.Equal(50, outcomes.Count(o => o is InconsistentStateException));
        Assert.Equal(50, outcomes.Count(o => o is null));

        // The 50 that took effect were written by one statement, so the test did exercise one batch.
        Assert.Equal(1, await _database.ScalarAsync(
            "SELECT count(DISTINCT xmin::text) FROM grain_state WHERE version = 3 OR grain_id LIKE '%mixed-new-%'"));
    }

    [Fact]
    public async Task Two_writes_of_one_grain_in_one_batch_with_the_same_etag_let_exactly_one_win()
    {
        var grain = Grain("twice");
        var base1 = new GrainState<WebhookDeliveryState>(NewState("v1"));
        await _storage.WriteStateAsync(StateName, grain, base1);

        var inserts = new[] { new GrainState<WebhookDeliveryState>(NewState("new-a")), new GrainState<WebhookDeliveryState>(NewState("new-b")) };
        var updates = new[] { new GrainState<WebhookDeliveryState>(NewState("upd-a"), "1"), new GrainState<WebhookDeliveryState>(NewState("upd-b"), "1") };

        var outcomes = await InOneBatchAsync(
        [
            () => _storage.WriteStateAsync(StateName, Grain("twice-new"), inserts[0]),
            () => _storage.WriteStateAsync(StateName, Grain("twice-new"), inserts[1]),
            () => _storage.WriteStateAsync(StateName, grain, updates[0]),
            () => _storage.WriteStateAsync(StateName, grain, updates[1]),
        ]);

        Assert.Null(outcomes[0]);
        Assert.IsType<InconsistentStateException>(outcomes[1]);
        Assert.Null(outcomes[2]);
        Assert.IsType<InconsistentStateException>(outcomes[3]);
        Assert.Equal(("1", "new-a"), await ReadEtagAndResponseAsync(Grain("twice-new")));
        Assert.Equal(("2", "upd-a"), await ReadEtagAndResponseAsync(grain));
    }

    [Fact]
    public async Task Concurrent_reads_of_many_grains_each_get_their_own_state()
    {
        for (var i = 0; i < 40; i++)
        {
            var state = new GrainState<WebhookDeliveryState>(NewState($"r-{i}"));
            await _storage.WriteStateAsync(StateName, Grain($"g{i}"), state);
            if (i % 2 == 0)
            {
                await _storage.WriteStateAsync(StateName, Grain($"g{i}"), state);
            }
        }

        // Every grain twice (two activations reading at once) and some that were never written.
        var reads = Enumerable.Range(0, 40).SelectMany(i => new[] { i, i }).Select(i => (Key: $"g{i}", Read: ReadAsync(Grain($"g{i}"))))
            .Concat(Enumerable.Range(0, 5).Select(i => (Key: $"missing{i}", Read: ReadAsync(Grain($"missing{i}")))))
            .ToList();
        await Task.WhenAll(reads.Select(r => r.Read));

        foreach (var (key, read) in reads)
        {
            var state = await read;
            if (key.StartsWith("missing", StringComparison.Ordinal))
            {
                Assert.False(state.RecordExists);
                Assert.Null(state.ETag);
                continue;
            }

            var i = int.Parse(key[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(state.RecordExists);
            Assert.Equal(i % 2 == 0 ? "2" : "1", state.ETag);
            Assert.Equal($"r-{i}", state.State?.ResponseId);
        }
    }

    private static GrainId Grain(string key) => GrainId.Create(GrainType, key);

    private static WebhookDeliveryState NewState(string responseId, WebhookStatus status = WebhookStatus.InProgress) => new()
    {
        AccountId = "acct-42",
        ListeningPost = ListeningPost.Relationship,
        ResponseId = responseId,
        Payload = """{"survey":"nps","score":9,"comment":"Grüße ✓"}""",
        AcceptedUtc = new DateTime(2025, 3, 4, 5, 6, 7, 891, DateTimeKind.Utc).AddTicks(2345),
        Status = status,
        Attempts =
        [
            new AttemptRecord(1, new DateTime(2025, 3, 4, 5, 6, 8, 1, DateTimeKind.Utc).AddTicks(7), 1234, 503, "Service Unavailable", null),
            new AttemptRecord(2, new DateTime(2025, 3, 4, 5, 7, 8, 2, DateTimeKind.Local), 30000, null, null, "timeout"),
        ],
        AutomaticAttempts = 2,
        NextAttemptDueUtc = new DateTime(2025, 3, 4, 5, 17, 8, 3, DateTimeKind.Unspecified),
        LastActivityUtc = new DateTime(2025, 3, 4, 5, 7, 38, 4, DateTimeKind.Utc),
        LastPostWrapped = true,
        ResendRequested = true,
    };

    private static void AssertSameState(WebhookDeliveryState expected, WebhookDeliveryState actual)
    {
        Assert.Equal(expected.AccountId, actual.AccountId);
        Assert.Equal(expected.ListeningPost, actual.ListeningPost);
        Assert.Equal(expected.ResponseId, actual.ResponseId);
        Assert.Equal(expected.Payload, actual.Payload);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.AutomaticAttempts, actual.AutomaticAttempts);
        Assert.Equal(expected.LastPostWrapped, actual.LastPostWrapped);
        Assert.Equal(expected.ResendRequested, actual.ResendRequested);

        // DateTime equality ignores Kind, so ticks and kind are compared separately.
        AssertSameInstant(expected.AcceptedUtc, actual.AcceptedUtc);
        AssertSameInstant(expected.LastActivityUtc, actual.LastActivityUtc);
        Assert.NotNull(actual.NextAttemptDueUtc);
        AssertSameInstant(expected.NextAttemptDueUtc!.Value, actual.NextAttemptDueUtc!.Value);

        Assert.Equal(expected.Attempts, actual.Attempts);
        Assert.Equal(expected.Attempts.Count, actual.Attempts.Count);
        for (var i = 0; i < expected.Attempts.Count; i++)
        {
            AssertSameInstant(expected.Attempts[i].StartedUtc, actual.Attempts[i].StartedUtc);
        }
    }

    private static void AssertSameInstant(DateTime expected, DateTime actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.Ticks, actual.Ticks);
    }

    private async Task<GrainState<WebhookDeliveryState>> ReadAsync(GrainId grain, string stateName = StateName)
    {
        var state = new GrainState<WebhookDeliveryState>();
        await _storage.ReadStateAsync(stateName, grain, state);
        return state;
    }

    private async Task<(string? ETag, string ResponseId)> ReadEtagAndResponseAsync(GrainId grain, string stateName = StateName)
    {
        var state = await ReadAsync(grain, stateName);
        Assert.True(state.RecordExists, $"{grain}/{stateName} should exist");
        Assert.NotNull(state.State);
        return (state.ETag, state.State.ResponseId);
    }

    /// <summary>
    /// Starts <paramref name="writes"/> so that the group commit takes them as one batch: a write of
    /// another grain is made to wait on a table lock, which keeps the single writer busy while the
    /// others queue up behind it; releasing the lock lets the queue go as the next batch. Returns each
    /// write's exception, or null where it succeeded.
    /// </summary>
    private async Task<List<Exception?>> InOneBatchAsync(IReadOnlyList<Func<Task>> writes)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = connection.CreateCommand())
        {
            lockTable.CommandText = "LOCK TABLE grain_state IN SHARE MODE";
            await lockTable.ExecuteNonQueryAsync();
        }

        var blocker = _storage.WriteStateAsync(StateName, Grain("blocker"), new GrainState<WebhookDeliveryState>(NewState("blocker")));
        await WaitUntilAStatementWaitsForALockAsync();
        var started = writes.Select(write => write()).ToList();
        await transaction.CommitAsync();
        await blocker;

        var outcomes = new List<Exception?>();
        foreach (var task in started)
        {
            try
            {
                await task;
                outcomes.Add(null);
            }
            catch (Exception e)
            {
                outcomes.Add(e);
            }
        }

        return outcomes;
    }

    private Task WaitUntilAStatementWaitsForALockAsync() => _database.WaitUntilAStatementWaitsForALockAsync();

    private static void Shuffle<T>(List<T> items)
    {
        var random = new Random(20250304);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
