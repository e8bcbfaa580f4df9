using System.Threading.Channels;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// Group commit: callers submit items and await them; one writer at a time takes everything that
/// queued up meanwhile (up to <paramref name="maxBatch"/>) and stores it with one call, typically one
/// database transaction. Under load many grains share a commit and nothing waits for a timer. A
/// lone item waits up to <paramref name="loneLinger"/> for company (like PostgreSQL's
/// <c>commit_delay</c>): at light load a grain's writes of one moment (its state and its reminder)
/// otherwise go as separate commits.
/// </summary>
public sealed class GroupCommit<T>(Func<IReadOnlyList<T>, CancellationToken, Task> writeBatch, int maxBatch = 512, TimeSpan loneLinger = default) : IAsyncDisposable
{
    private readonly Channel<(T Item, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(T, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    private Task? _writer;
    private int _started;
    private int _backlog;

    /// <summary>Items submitted and not yet taken into a batch.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>Completes when the batch holding <paramref name="item"/> is stored; faults if that write failed.</summary>
    public Task SubmitAsync(T item)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _writer = Task.Run(WriteLoopAsync);
        }

        // Continuations run on the writer when the batch is stored, so they must be short: callers
        // return at once or resume on their own scheduler (a grain's), instead of costing a
        // thread-pool hand-off per item.
        var done = new TaskCompletionSource();
        Interlocked.Increment(ref _backlog);
        if (!_queue.Writer.TryWrite((item, done)))
        {
            Interlocked.Decrement(ref _backlog);
            done.SetException(new ObjectDisposedException(nameof(GroupCommit<T>)));
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<(T Item, TaskCompletionSource Done)>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Let the work already queued on the thread pool run first: writes submitted together
            // (a grain's state and its reminder, say) then share this commit even when idle.
            await Task.Yield();
            Drain(batch);
            if (batch.Count == 1 && loneLinger > TimeSpan.Zero)
            {
                await Task.Delay(loneLinger);
                Drain(batch);
            }

            try
            {
                await writeBatch(batch.Select(b => b.Item).ToList(), CancellationToken.None);
                batch.ForEach(b => b.Done.TrySetResult());
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Done.TrySetException(e));
            }

            batch.Clear();
        }
    }

    private void Drain(List<(T Item, TaskCompletionSource Done)> batch)
    {
        while (batch.Count < maxBatch && _queue.Reader.TryRead(out var next))
        {
            batch.Add(next);
            Interlocked.Decrement(ref _backlog);
        }
    }
}
