using System.Runtime.ExceptionServices;
using Npgsql;
using CIOPulse.Grains;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// One group commit for all of a silo's hot writes: whatever state writes, reminder changes and log
/// rows the grains submit while a commit is running go to PostgreSQL together as the next batch, in
/// one round trip and one transaction. Each write still succeeds or fails on its own terms (version
/// checks are per row); an error that is not transient and that a batch of several writes meets is
/// retried per write, so one bad row cannot fail the writes that happened to share its batch.
/// Writes a caller groups with <see cref="Together"/> always share a batch and are retried as one.
/// </summary>
public sealed class PostgresGroupCommit : IAtomicWrites, IAsyncDisposable
{
    /// <summary>How long a lone write waits for others (see <see cref="GroupCommit{T}"/>).</summary>
    private static readonly TimeSpan LoneLinger = TimeSpan.FromMilliseconds(1);

    private readonly GroupCommit<Entry> _commits;

    // The unit the current flow (a grain's turn, say) is collecting writes into, if any.
    private readonly AsyncLocal<Unit?> _openUnit = new();

    public PostgresGroupCommit(NpgsqlDataSource dataSource)
    {
        DataSource = dataSource;
        _commits = new GroupCommit<Entry>(WriteAsync, loneLinger: LoneLinger);
    }

    /// <summary>Where the batches go; the parts use it for their plain (unbatched) reads.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Writes and reads waiting for the next batch.</summary>
    public int Backlog => _commits.Backlog;

    /// <summary>
    /// Completes when the batch holding <paramref name="write"/> is committed; faults if it was not.
    /// Called from a write that <see cref="Together"/> started, the write joins that unit.
    /// </summary>
    public async Task SubmitAsync<T>(IPostgresBatchPart<T> part, T write)
    {
        var entry = new Entry<T>(part, write);
        Entry submitted;
        if (_openUnit.Value is { } unit)
        {
            if (!unit.TryAdd(entry))
            {
                // Started by Together but handed over after an await, when its unit had closed.
                throw new InvalidOperationException(
                    "A write of a unit reached the group commit after the unit closed: a write must hand its work over before its first await.");
            }

            submitted = unit;
            await (await unit.Submitted.ConfigureAwait(false)).ConfigureAwait(false);
        }
        else
        {
            submitted = entry;
            await _commits.SubmitAsync(entry).ConfigureAwait(false);
        }

        if (submitted.Failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The writes go to PostgreSQL in the same batch, one transaction, and a refused one fails them
    /// all. Started inside another unit's writes, they join that unit.
    /// </remarks>
    public Task Together(params Func<Task>[] writes)
    {
        if (_openUnit.Value is { IsOpen: true })
        {
            return Task.WhenAll(writes.Select(write => write()));
        }

        var unit = new Unit(this);
        var started = new Task[writes.Length];
        var joined = 0;
        var outer = _openUnit.Value;
        _openUnit.Value = unit;
        try
        {
            for (var i = 0; i < writes.Length; i++)
            {
                var before = unit.Count;
                started[i] = writes[i]();
                joined += unit.Count > before ? 1 : 0;
            }
        }
        finally
        {
            _openUnit.Value = outer;
            unit.Close();
        }

        return joined == writes.Length ? Task.WhenAll(started) : MisusedAsync(started, joined);

        static async Task MisusedAsync(Task[] started, int joined)
        {
            await Task.WhenAll(started);
            throw new InvalidOperationException(
                $"Only {joined} of {started.Length} writes joined their unit: a write awaited before handing its work to the group commit, so it was committed on its own.");
        }
    }

    public ValueTask DisposeAsync() => _commits.DisposeAsync();

    private async Task WriteAsync(IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(entries, cancellationToken);
        }
        catch (PostgresException e) when (entries.Count > 1 && !e.IsTransient)
        {
            // Something in the batch is refused (a constraint, bad data): find out which, alone.
            foreach (var entry in entries)
            {
                try
                {
                    await ExecuteAsync([entry], cancellationToken);
                }
                catch (Exception single)
                {
                    entry.Failure = single;
                }
            }
        }
    }

    private async Task ExecuteAsync(IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        await using var batch = DataSource.CreateBatch();
        var rowReaders = new List<Action<NpgsqlDataReader>>();
        foreach (var part in entries.SelectMany(e => e.Writes).GroupBy(e => e.Part))
        {
            part.First().AddStatements(batch, part, rowReaders);
        }

        // The statements of a batch run in one implicit transaction: all of them commit, or none.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var readRow in rowReaders)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                readRow(reader);
            }

            await reader.NextResultAsync(cancellationToken);
        }

        // Through the statements that return nothing, to the commit: their errors surface here.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
    }

    /// <summary>What the writer queues: one write, or a unit of writes that commit together.</summary>
    private abstract class Entry
    {
        /// <summary>Set when the batch committed without this entry (it alone was refused).</summary>
        public Exception? Failure { get; set; }

        public abstract IEnumerable<Write> Writes { get; }
    }

    private abstract class Write : Entry
    {
        public abstract object Part { get; }

        public override IEnumerable<Write> Writes => [this];

        /// <summary>Adds the statements for <paramref name="samePart"/>, every write of this write's part.</summary>
        public abstract void AddStatements(NpgsqlBatch batch, IEnumerable<Write> samePart, ICollection<Action<NpgsqlDataReader>> rowReaders);
    }

    private sealed class Entry<T>(IPostgresBatchPart<T> part, T write) : Write
    {
        public override object Part => part;

        private T Write { get; } = write;

        public override void AddStatements(NpgsqlBatch batch, IEnumerable<Write> samePart, ICollection<Action<NpgsqlDataReader>> rowReaders) =>
            part.AddStatements(batch, samePart.Cast<Entry<T>>().Select(e => e.Write).ToList(), rowReaders);
    }

    /// <summary>Writes collected by one <see cref="Together"/> call, queued as one entry when it closes.</summary>
    private sealed class Unit(PostgresGroupCommit owner) : Entry
    {
        private readonly List<Write> _writes = [];

        // Members resume inline when the unit closes, only to start awaiting the commit: no
        // thread-pool hand-off per write (continuations of the commit itself are synchronous too).
        private readonly TaskCompletionSource<Task> _submitted = new();

        public bool IsOpen { get; private set; } = true;

        public override IEnumerable<Write> Writes => _writes;

        public int Count
        {
            get
            {
                lock (_writes)
                {
                    return _writes.Count;
                }
            }
        }

        /// <summary>The unit's commit, once it has closed.</summary>
        public Task<Task> Submitted => _submitted.Task;

        public bool TryAdd(Write write)
        {
            lock (_writes)
            {
                if (IsOpen)
                {
                    _writes.Add(write);
                }

                return IsOpen;
            }
        }

        public void Close()
        {
            lock (_writes)
            {
                IsOpen = false;
            }

            _submitted.SetResult(_writes.Count > 0 ? owner._commits.SubmitAsync(this) : Task.CompletedTask);
        }
    }
}
