using System.Collections.Concurrent;
using CIOPulse.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;
using CIOPulse.Persistence.Postgres;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The shared group commit (<see cref="PostgresGroupCommit"/>): writes of different kinds that queue
/// up while a commit runs go as one batch in one transaction, each kind gets back exactly the rows of
/// its own statements (also when another kind's statement returns none), and a write the database
/// refuses fails alone instead of taking its batch down.
/// </summary>
public sealed class PostgresGroupCommitTests : IAsyncLifetime
{
    // Kinds of write for the tests (fresh for each test, as xUnit makes a new instance per test).
    private readonly Part _blocker = new Part("blocker", "SELECT i, 0 FROM unnest($1::integer[]) i, pg_sleep(1)");
    private readonly Part _divided = new Part("divided", "INSERT INTO written (part, item) SELECT 'divided', 100 / i FROM unnest($1::integer[]) i RETURNING item, item");
    private readonly Part _doubled = new Part("doubled", "INSERT INTO written (part, item) SELECT 'doubled', i FROM unnest($1::integer[]) i RETURNING item, item * 2");
    private readonly Part _silent = new Part("silent", "INSERT INTO written (part, item) SELECT 'silent', i FROM unnest($1::integer[]) i", returnsRows: false);

    private TestDatabase _database = null!;
    private PostgresGroupCommit _commits = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(migrate: false);
        _commits = new PostgresGroupCommit(_database.DataSource);
        await _database.ExecuteAsync("CREATE TABLE written (part text NOT NULL, item integer NOT NULL, xid xid8 NOT NULL DEFAULT pg_current_xact_id())");
    }

    public async Task DisposeAsync()
    {
        await _commits.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Writes_queued_behind_a_running_commit_share_the_next_transaction_and_each_part_reads_its_own_rows()
    {
        var none = new Part("none", "INSERT INTO written (part, item) SELECT 'none', i FROM unnest($1::integer[]) i WHERE false RETURNING item, item");
        var squared = new Part("squared", "INSERT INTO written (part, item) SELECT 'squared', i FROM unnest($1::integer[]) i RETURNING item, item * item");

        var running = _commits.SubmitAsync(_blocker, 1);
        await WaitUntilTheBlockerSleepsAsync(); // its batch is running: everything below queues behind it
        var writes = Enumerable.Range(1, 5).SelectMany(i => new[]
        {
            _commits.SubmitAsync(none, i), _commits.SubmitAsync(_doubled, i), _commits.SubmitAsync(_silent, i), _commits.SubmitAsync(squared, i),
        }).ToList();
        await running;
        await Task.WhenAll(writes);

        Assert.Empty(none.Rows);
        Assert.Equal(Enumerable.Range(1, 5).ToDictionary(i => i, i => i * 2), _doubled.Rows.ToDictionary());
        Assert.Equal(Enumerable.Range(1, 5).ToDictionary(i => i, i => i * i), squared.Rows.ToDictionary());
        Assert.Equal(15, await _database.ScalarAsync("SELECT count(*) FROM written"));
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(DISTINCT xid) FROM written"));
        Assert.Equal([1], _blocker.BatchSizes);
        Assert.Equal([5], _doubled.BatchSizes);
    }

    [Fact]
    public async Task A_write_the_database_refuses_fails_alone_and_the_rest_of_its_batch_commits()
    {

        var running = _commits.SubmitAsync(_blocker, 1);
        await WaitUntilTheBlockerSleepsAsync();
        var poisoned = _commits.SubmitAsync(_divided, 0);
        var fine = new[] { _commits.SubmitAsync(_divided, 4), _commits.SubmitAsync(_divided, 5), _commits.SubmitAsync(_silent, 7) };
        await running;

        var refused = await Assert.ThrowsAsync<PostgresException>(() => poisoned);
        Assert.Equal(PostgresErrorCodes.DivisionByZero, refused.SqlState);
        await Task.WhenAll(fine);
        Assert.Equal([20, 25], _divided.Rows.Keys.Order());
        Assert.Equal(3, await _database.ScalarAsync("SELECT count(*) FROM written"));
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM written WHERE part = 'divided' AND item NOT IN (20, 25)"));
    }

    [Fact]
    public async Task A_lone_refused_write_faults_its_caller_and_the_commit_goes_on()
    {

        await Assert.ThrowsAsync<PostgresException>(() => _commits.SubmitAsync(_divided, 0));
        await _commits.SubmitAsync(_divided, 10);

        Assert.Equal(10, _divided.Rows[10]);
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM written"));
    }

    [Fact]
    public async Task Writes_started_together_stay_one_transaction_when_their_batch_is_retried_write_by_write()
    {
        // The writer is busy while the unit and a refused write queue up; their batch fails on the
        // refused one and is retried per entry: the unit as one.
        var running = _commits.SubmitAsync(_blocker, 1);
        await WaitUntilTheBlockerSleepsAsync();

        var unit = _commits.Together(() => _commits.SubmitAsync(_doubled, 1), () => _commits.SubmitAsync(_silent, 2));
        var refused = _commits.SubmitAsync(_divided, 0);
        var alone = _commits.SubmitAsync(_silent, 3);
        await Task.WhenAll(unit, alone, running);
        await Assert.ThrowsAsync<PostgresException>(() => refused);

        Assert.Equal(2, _doubled.Rows[1]);
        Assert.Equal(3, await _database.ScalarAsync("SELECT count(*) FROM written"));
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(DISTINCT xid) FROM written WHERE item IN (1, 2)"));
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(DISTINCT xid) FROM written"));
        Assert.Equal([1], _blocker.BatchSizes);
    }

    [Fact]
    public async Task A_refused_write_fails_its_whole_unit_and_not_its_batch_mates()
    {
        var running = _commits.SubmitAsync(_blocker, 1);
        await WaitUntilTheBlockerSleepsAsync();
        var unit = _commits.Together(() => _commits.SubmitAsync(_silent, 1), () => _commits.SubmitAsync(_divided, 0));
        var outside = new[] { _commits.SubmitAsync(_silent, 2), _commits.SubmitAsync(_divided, 5) };
        await running;

        Assert.Equal(PostgresErrorCodes.DivisionByZero, (await Assert.ThrowsAsync<PostgresException>(() => unit)).SqlState);
        await Task.WhenAll(outside);
        Assert.Equal(2, await _database.ScalarAsync("SELECT count(*) FROM written"));
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM written WHERE part = 'silent' AND item = 1"));
    }

    [Fact]
    public async Task A_write_that_awaits_before_submitting_is_refused_rather_than_committed_outside_its_unit()
    {
        var unit = _commits.Together(
            () => _commits.SubmitAsync(_silent, 1),
            async () =>
            {
                await Task.Delay(50);
                await _commits.SubmitAsync(_silent, 2);
            });

        // The late write reaches the group commit after its unit closed: the unit fails, rather than
        // that write being committed on its own.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => unit.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("before its first await", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await _database.ScalarAsync("SELECT count(*) FROM written WHERE item = 1"));
        Assert.Equal(0, await _database.ScalarAsync("SELECT count(*) FROM written WHERE item = 2"));
    }

    [Fact]
    public async Task A_unit_started_inside_another_unit_s_write_joins_it()
    {
        var running = _commits.SubmitAsync(_blocker, 1);
        await WaitUntilTheBlockerSleepsAsync();
        var unit = _commits.Together(
            () => _commits.SubmitAsync(_silent, 1),
            () => _commits.Together(() => _commits.SubmitAsync(_silent, 2), () => _commits.SubmitAsync(_doubled, 3)));
        await Task.WhenAll(unit, running);

        Assert.Equal(1, await _database.ScalarAsync("SELECT count(DISTINCT xid) FROM written WHERE part <> 'blocker'"));
        Assert.Equal(6, _doubled.Rows[3]);
    }

    private Task WaitUntilTheBlockerSleepsAsync() =>
        Eventually.HoldsAsync(
            async () => await _database.ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'") > 0,
            "the blocking batch starts",
            poll: TimeSpan.FromMilliseconds(10));

    /// <summary>A kind of write for the test: one statement over the batch's items as an integer array; rows are (key, value).</summary>
    private sealed class Part(string name, string sql, bool returnsRows = true) : IPostgresBatchPart<int>
    {
        public ConcurrentDictionary<int, int> Rows { get; } = new();

        /// <summary>How many writes of this part each batch carried.</summary>
        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<int> writes, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            BatchSizes.Enqueue(writes.Count);
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql)
            {
                Parameters = { new() { Value = writes.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer } },
            });
            if (returnsRows)
            {
                rowReaders.Add(row => Rows[row.GetInt32(0)] = row.GetInt32(1));
            }
        }

        public override string ToString() => name;
    }
}
