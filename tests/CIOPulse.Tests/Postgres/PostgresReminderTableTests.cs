using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The group-committing reminder table (<see cref="PostgresReminderTable"/>, table
/// orleansreminderstable) against the Orleans <see cref="IReminderTable"/> contract: integer-version
/// ETags, ETag-checked removal, ring range reads of (begin, end] on the unsigned hash ring, and
/// concurrent changes sharing one statement without losing or mixing up any of them.
/// </summary>
public sealed class PostgresReminderTableTests : IAsyncLifetime
{
    private const string ServiceId = "svc-reminder-tests";
    private const string GrainType = "webhookdelivery";
    private const string ReminderName = "delivery";

    private TestDatabase _database = null!;
    private PostgresGroupCommit _commits = null!;
    private PostgresReminderTable _table = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _commits = new PostgresGroupCommit(_database.DataSource);
        _table = new PostgresReminderTable(_commits, ServiceId);
    }

    public async Task DisposeAsync()
    {
        await _commits.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Upserting_a_new_reminder_returns_etag_0()
    {
        Assert.Equal("0", await _table.UpsertRow(Entry(Grain("abc"))));
        Assert.Equal(1, await _database.ScalarAsync($"SELECT count(*) FROM orleansreminderstable WHERE serviceid = '{ServiceId}' AND version = 0"));
    }

    [Fact]
    public async Task Upserting_an_existing_reminder_again_returns_etag_1_and_stores_the_new_schedule()
    {
        await _table.UpsertRow(Entry(Grain("abc")));
        var later = Entry(Grain("abc"), start: Millis(DateTime.UtcNow.AddHours(1)), period: TimeSpan.FromMinutes(7));

        Assert.Equal("1", await _table.UpsertRow(later));

        var read = await _table.ReadRow(Grain("abc"), ReminderName);
        Assert.NotNull(read);
        Assert.Equal("1", read.ETag);
        Assert.Equal(later.StartAt, read.StartAt);
        Assert.Equal(TimeSpan.FromMinutes(7), read.Period);
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM orleansreminderstable"));
    }

    [Fact]
    public async Task ReadRow_returns_the_entry_with_its_utc_start_to_the_millisecond_its_period_and_its_etag()
    {
        var start = Millis(DateTime.UtcNow.AddMinutes(3));
        var period = TimeSpan.FromMilliseconds(90_500);
        await _table.UpsertRow(Entry(Grain("abc"), start: start, period: period));

        var read = await _table.ReadRow(Grain("abc"), ReminderName);

        Assert.NotNull(read);
        Assert.Equal(Grain("abc"), read.GrainId);
        Assert.Equal(ReminderName, read.ReminderName);
        Assert.Equal(DateTimeKind.Utc, read.StartAt.Kind);
        Assert.Equal(start.Ticks, read.StartAt.Ticks);
        Assert.Equal(period, read.Period);
        Assert.Equal("0", read.ETag);
    }

    [Fact]
    public async Task ReadRow_of_an_unknown_reminder_returns_null()
    {
        await _table.UpsertRow(Entry(Grain("abc")));

        Assert.Null(await _table.ReadRow(Grain("abc"), "other-name"));
        Assert.Null(await _table.ReadRow(Grain("xyz"), ReminderName));
    }

    [Fact]
    public async Task ReadRows_of_a_grain_lists_all_its_reminders_and_none_of_another_grain()
    {
        await _table.UpsertRow(Entry(Grain("abc"), "first"));
        await _table.UpsertRow(Entry(Grain("abc"), "second"));
        await _table.UpsertRow(Entry(Grain("abc"), "third"));
        await _table.UpsertRow(Entry(Grain("abd"), "first"));

        var rows = await _table.ReadRows(Grain("abc"));

        Assert.Equal(["first", "second", "third"], rows.Reminders.Select(r => r.ReminderName).Order(StringComparer.Ordinal));
        Assert.All(rows.Reminders, r => Assert.Equal(Grain("abc"), r.GrainId));
        Assert.Empty((await _table.ReadRows(Grain("none"))).Reminders);
    }

    [Fact]
    public async Task RemoveRow_with_the_current_etag_returns_true_and_the_reminder_is_gone()
    {
        await _table.UpsertRow(Entry(Grain("abc")));
        var etag = await _table.UpsertRow(Entry(Grain("abc")));
        Assert.NotNull(etag);
        Assert.Equal("1", etag);

        Assert.True(await _table.RemoveRow(Grain("abc"), ReminderName, etag));

        Assert.Null(await _table.ReadRow(Grain("abc"), ReminderName));
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM orleansreminderstable"));
    }

    [Fact]
    public async Task RemoveRow_with_a_stale_etag_returns_false_and_the_reminder_stays()
    {
        await _table.UpsertRow(Entry(Grain("abc")));
        await _table.UpsertRow(Entry(Grain("abc")));

        Assert.False(await _table.RemoveRow(Grain("abc"), ReminderName, "0"));

        var read = await _table.ReadRow(Grain("abc"), ReminderName);
        Assert.NotNull(read);
        Assert.Equal("1", read.ETag);
    }

    public static TheoryData<string, uint, uint> RingRanges()
    {
        var edges = _edgeGrains.Value;
        return new TheoryData<string, uint, uint>
        {
            { "positive, non-wrapping", 0x10000000, 0x60000000 },
            { "negative as int, non-wrapping", 0xA0000000, 0xD0000000 },
            { "across the int sign boundary, tiny", 0x7FFFFF00, 0x80000100 },
            { "across the int sign boundary, wide", 0x70000000, 0x90000000 },
            { "across the int sign boundary, begin and end on stored hashes", edges.BelowSign.Min(), edges.AboveSign.Max() },
            { "across the int sign boundary, only the newest hashes", edges.BelowSign.Max(), edges.AboveSign.Min() },
            { "just int.MinValue", 0x7FFFFFFF, 0x80000000 },
            { "wrapping, int non-wrapping", 0x90000000, 0x70000000 },
            { "wrapping past zero", 0xF0000000, 0x10000000 },
            { "wrapping past zero, begin and end on stored hashes", edges.BelowZero.Min(), edges.AboveZero.Max() },
            { "wrapping around all but the sign-boundary gap", edges.AboveSign.Min(), edges.BelowSign.Max() },
            { "non-wrapping from just above zero to just below it", edges.AboveZero.Min(), edges.BelowZero.Max() },
            { "everything but int.MinValue", 0x80000000, 0x7FFFFFFF },
            { "everything but zero", 0, uint.MaxValue },
            { "only zero", uint.MaxValue, 0 },
            { "full ring at 0", 0, 0 },
            { "full ring at int.MinValue", 0x80000000, 0x80000000 },
            { "full ring at a stored hash", edges.BelowSign.Max(), edges.BelowSign.Max() },
        };
    }

    /// <summary>
    /// Expected: Orleans' ring semantics (SingleRange.InRange): hash h is in (begin, end] when
    /// begin &lt; end ? begin &lt; h &lt;= end : h &gt; begin || h &lt;= end, on unsigned values, so
    /// begin == end is the whole ring.
    /// </summary>
    [Theory]
    [MemberData(nameof(RingRanges))]
    public async Task ReadRows_of_a_ring_range_returns_exactly_the_reminders_whose_unsigned_hash_is_in_it(string range, uint begin, uint end)
    {
        var grains = Enumerable.Range(0, 200).Select(i => Grain($"ring-{i:D3}")).Concat(_edgeGrains.Value.All).ToList();
        var etags = await Task.WhenAll(grains.Select(g => _table.UpsertRow(Entry(g))));
        Assert.All(etags, e => Assert.Equal("0", e));

        // A second reminder on a few grains: a range returns every reminder of a grain in it.
        foreach (var grain in grains.Where((_, i) => i % 50 == 0))
        {
            await _table.UpsertRow(Entry(grain, "second"));
        }

        var stored = (await _table.ReadRows(0u, 0u)).Reminders;
        var expected = stored
            .Where(r => InRange(r.GrainId.GetUniformHashCode(), begin, end))
            .Select(Describe)
            .Order(StringComparer.Ordinal)
            .ToList();

        var actual = (await _table.ReadRows(begin, end)).Reminders.Select(Describe).Order(StringComparer.Ordinal).ToList();

        Assert.True(
            expected.SequenceEqual(actual),
            $"range {range} (0x{begin:X8}, 0x{end:X8}]: {expected.Count} expected, {actual.Count} returned;"
            + $" missing [{string.Join(", ", expected.Except(actual))}], unexpected [{string.Join(", ", actual.Except(expected))}]");
    }

    [Fact]
    public async Task The_full_ring_read_returns_every_reminder_of_the_service()
    {
        var grains = Enumerable.Range(0, 200).Select(i => Grain($"ring-{i:D3}")).Concat(_edgeGrains.Value.All).ToList();
        await Task.WhenAll(grains.Select(g => _table.UpsertRow(Entry(g))));

        var rows = (await _table.ReadRows(0x80000000u, 0x80000000u)).Reminders;

        Assert.Equal(grains.Count, rows.Count);
        Assert.Equal(grains.Select(g => g.ToString()).Order(StringComparer.Ordinal), rows.Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_hundred_reminders_upserted_in_parallel_all_get_etag_0_and_all_rows_exist()
    {
        var grains = Enumerable.Range(0, 200).Select(i => Grain($"par-{i:D3}")).ToList();

        var etags = await Task.WhenAll(grains.Select(g => _table.UpsertRow(Entry(g))));

        Assert.All(etags, e => Assert.Equal("0", e));
        Assert.Equal(200, await _database.ScalarAsync($"SELECT count(*) FROM orleansreminderstable WHERE serviceid = '{ServiceId}' AND version = 0"));
        foreach (var grain in grains)
        {
            var read = await _table.ReadRow(grain, ReminderName);
            Assert.NotNull(read);
            Assert.Equal("0", read.ETag);
        }
    }

    [Fact]
    public async Task One_reminder_upserted_twice_concurrently_ends_at_version_1_with_etags_0_and_1()
    {
        var etags = await Task.WhenAll(_table.UpsertRow(Entry(Grain("twice"))), _table.UpsertRow(Entry(Grain("twice"))));

        Assert.Equal(["0", "1"], etags.Order(StringComparer.Ordinal));
        Assert.Equal("1", (await _table.ReadRow(Grain("twice"), ReminderName))?.ETag);
    }

    [Fact]
    public async Task One_reminder_upserted_twice_in_one_batch_ends_at_version_1_with_etags_0_and_1()
    {
        var etags = await InOneBatchAsync(
            () => _table.UpsertRow(Entry(Grain("twice"))),
            () => _table.UpsertRow(Entry(Grain("twice"))));

        Assert.Equal(["0", "1"], etags.Order(StringComparer.Ordinal));
        Assert.Equal("1", (await _table.ReadRow(Grain("twice"), ReminderName))?.ETag);
    }

    /// <summary>
    /// The batch splits itself into rounds with <c>remaining.Except(round)</c> on a record whose
    /// equality compares the <see cref="ReminderEntry"/> reference, so two upserts of one entry object
    /// look like one change and the second is dropped.
    /// </summary>
    [Fact]
    public async Task The_same_entry_object_upserted_twice_in_one_batch_is_applied_twice()
    {
        var entry = Entry(Grain("same-object"));

        var etags = await InOneBatchAsync(() => _table.UpsertRow(entry), () => _table.UpsertRow(entry));

        Assert.Equal(["0", "1"], etags.Order(StringComparer.Ordinal));
        Assert.Equal("1", (await _table.ReadRow(Grain("same-object"), ReminderName))?.ETag);
    }

    [Fact]
    public async Task In_one_batch_stale_removals_fail_alone_while_other_removals_and_upserts_succeed()
    {
        var current = Enumerable.Range(0, 10).Select(i => Grain($"remove-current-{i}")).ToList();
        var stale = Enumerable.Range(0, 10).Select(i => Grain($"remove-stale-{i}")).ToList();
        foreach (var grain in current.Concat(stale))
        {
            await _table.UpsertRow(Entry(grain));
            await _table.UpsertRow(Entry(grain));
        }

        var fresh = Enumerable.Range(0, 10).Select(i => Grain($"fresh-{i}")).ToList();
        var changes = new List<Func<Task<string?>>>();
        changes.AddRange(current.Select(g => (Func<Task<string?>>)(async () => (await _table.RemoveRow(g, ReminderName, "1")).ToString())));
        changes.AddRange(stale.Select(g => (Func<Task<string?>>)(async () => (await _table.RemoveRow(g, ReminderName, "0")).ToString())));
        changes.AddRange(fresh.Select(g => (Func<Task<string?>>)(() => _table.UpsertRow(Entry(g)))));

        var results = await InOneBatchAsync([.. changes]);

        Assert.All(results.Take(10), r => Assert.Equal(bool.TrueString, r));
        Assert.All(results.Skip(10).Take(10), r => Assert.Equal(bool.FalseString, r));
        Assert.All(results.Skip(20), r => Assert.Equal("0", r));
        foreach (var grain in current)
        {
            Assert.Null(await _table.ReadRow(grain, ReminderName));
        }

        foreach (var grain in stale)
        {
            Assert.Equal("1", (await _table.ReadRow(grain, ReminderName))?.ETag);
        }
    }

    [Fact]
    public async Task TestOnlyClearTable_removes_only_the_rows_of_its_own_service_id()
    {
        var other = new PostgresReminderTable(_commits, "svc-other");
        await _table.UpsertRow(Entry(Grain("abc")));
        await _table.UpsertRow(Entry(Grain("def")));
        await other.UpsertRow(Entry(Grain("abc")));
        await other.UpsertRow(Entry(Grain("ghi")));
        Assert.Equal(2, (await other.ReadRows(0u, 0u)).Reminders.Count);
        Assert.Equal(2, (await _table.ReadRows(0u, 0u)).Reminders.Count);

        await _table.TestOnlyClearTable();

        Assert.Empty((await _table.ReadRows(0u, 0u)).Reminders);
        Assert.Null(await _table.ReadRow(Grain("abc"), ReminderName));
        Assert.Equal(["abc", "ghi"], (await other.ReadRows(0u, 0u)).Reminders.Select(r => r.GrainId.Key.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(*) FROM orleansreminderstable WHERE serviceid = 'svc-other'"));
    }

    [Fact]
    public async Task Concurrent_single_reads_each_get_their_own_reminder()
    {
        var start = Millis(DateTime.UtcNow);
        for (var i = 0; i < 30; i++)
        {
            await _table.UpsertRow(Entry(Grain($"g{i}"), start: start.AddSeconds(i), period: TimeSpan.FromSeconds(10 + i)));
        }

        await _table.UpsertRow(Entry(Grain("g0"), name: "other", start: start.AddHours(1)));
        var reads = Enumerable.Range(0, 30).Select(i => (I: i, Read: _table.ReadRow(Grain($"g{i}"), ReminderName))).ToList();
        var missing = new[] { _table.ReadRow(Grain("nobody"), ReminderName), _table.ReadRow(Grain("g1"), "other") };
        await Task.WhenAll(reads.Select(r => r.Read).Concat(missing));

        foreach (var (i, read) in reads)
        {
            var entry = await read;
            Assert.NotNull(entry);
            Assert.Equal((Grain($"g{i}"), ReminderName, start.AddSeconds(i), TimeSpan.FromSeconds(10 + i), "0"), (entry.GrainId, entry.ReminderName, entry.StartAt, entry.Period, entry.ETag));
        }

        Assert.All(missing, m => Assert.Null(m.Result));
        Assert.Equal(start.AddHours(1), (await _table.ReadRow(Grain("g0"), "other"))?.StartAt);
    }

    private static GrainId Grain(string key) => GrainId.Create(GrainType, key);

    private static DateTime Millis(DateTime value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    private static ReminderEntry Entry(GrainId grain, string name = ReminderName, DateTime? start = null, TimeSpan? period = null) => new()
    {
        GrainId = grain,
        ReminderName = name,
        StartAt = start ?? Millis(DateTime.UtcNow),
        Period = period ?? TimeSpan.FromMinutes(1),
    };

    private static string Describe(ReminderEntry entry) => $"{entry.GrainId}#{entry.ReminderName}@{entry.GrainId.GetUniformHashCode():X8}";

    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;

    /// <summary>
    /// Grains whose hashes sit just either side of the int sign boundary (0x80000000) and of zero,
    /// found by trying keys in a fixed order (so the same keys every run).
    /// </summary>
    private static readonly Lazy<EdgeGrainSet> _edgeGrains = new(() =>
    {
        const uint window = 0x40000;
        var belowSign = new List<GrainId>();
        var aboveSign = new List<GrainId>();
        var belowZero = new List<GrainId>();
        var aboveZero = new List<GrainId>();
        for (var i = 0; i < 10_000_000 && (belowSign.Count < 2 || aboveSign.Count < 2 || belowZero.Count < 2 || aboveZero.Count < 2); i++)
        {
            var grain = Grain($"edge-{i}");
            var hash = grain.GetUniformHashCode();
            var list = hash switch
            {
                >= 0x80000000 - window and < 0x80000000 => belowSign,
                >= 0x80000000 and < 0x80000000 + window => aboveSign,
                >= uint.MaxValue - window + 1 => belowZero,
                < window => aboveZero,
                _ => null,
            };
            if (list is { Count: < 2 })
            {
                list.Add(grain);
            }
        }

        Assert.True(belowSign.Count == 2 && aboveSign.Count == 2 && belowZero.Count == 2 && aboveZero.Count == 2, "edge grains not found");
        return new EdgeGrainSet(belowSign, aboveSign, belowZero, aboveZero);
    });

    private sealed record EdgeGrainSet(List<GrainId> BelowSignGrains, List<GrainId> AboveSignGrains, List<GrainId> BelowZeroGrains, List<GrainId> AboveZeroGrains)
    {
        public IEnumerable<uint> BelowSign => BelowSignGrains.Select(g => g.GetUniformHashCode());

        public IEnumerable<uint> AboveSign => AboveSignGrains.Select(g => g.GetUniformHashCode());

        public IEnumerable<uint> BelowZero => BelowZeroGrains.Select(g => g.GetUniformHashCode());

        public IEnumerable<uint> AboveZero => AboveZeroGrains.Select(g => g.GetUniformHashCode());

        public IEnumerable<GrainId> All => BelowSignGrains.Concat(AboveSignGrains).Concat(BelowZeroGrains).Concat(AboveZeroGrains);
    }

    /// <summary>
    /// Runs <paramref name="changes"/> so that the group commit takes them as one batch: an upsert of
    /// another reminder is made to wait on a table lock, which keeps the single writer busy while the
    /// changes queue up behind it; releasing the lock lets the queue go as the next batch.
    /// </summary>
    private async Task<string?[]> InOneBatchAsync(params Func<Task<string?>>[] changes)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var lockTable = connection.CreateCommand())
        {
            lockTable.CommandText = "LOCK TABLE orleansreminderstable IN SHARE MODE";
            await lockTable.ExecuteNonQueryAsync();
        }

        var blocker = _table.UpsertRow(Entry(Grain("blocker")));
        await _database.WaitUntilAStatementWaitsForALockAsync();

        var started = changes.Select(change => change()).ToList();
        await transaction.CommitAsync();
        Assert.Equal("0", await blocker);
        return await Task.WhenAll(started);
    }
}
