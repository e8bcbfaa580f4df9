using System.Collections.Concurrent;
using CIOPulse.Persistence.Postgres;

using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Unit;

/// <summary>
/// <see cref="GroupCommit{T}"/>: items queued while a batch is written go together in the next one,
/// and a lone item waits its linger for company (and only a lone one).
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Items_submitted_while_a_batch_is_written_share_the_next_batch()
    {
        var batches = new ConcurrentQueue<int[]>();
        var release = new TaskCompletionSource();
        await using var commit = new GroupCommit<int>(async (items, _) =>
        {
            batches.Enqueue(items.ToArray());
            if (items[0] == 0)
            {
                await release.Task;
            }
        });

        var first = commit.SubmitAsync(0);
        await WaitUntilAsync(() => !batches.IsEmpty);
        var rest = Enumerable.Range(1, 5).Select(commit.SubmitAsync).ToList();
        release.SetResult();
        await Task.WhenAll(rest.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([[0], [1, 2, 3, 4, 5]], batches.ToArray());
    }

    [Fact]
    public async Task A_lone_item_waits_its_linger_for_a_second_one()
    {
        var batches = new ConcurrentQueue<int[]>();
        await using var commit = new GroupCommit<int>((items, _) => { batches.Enqueue(items.ToArray()); return Task.CompletedTask; }, loneLinger: TimeSpan.FromSeconds(2));

        var first = commit.SubmitAsync(1);
        await Task.Delay(50); // well inside the linger, even on a loaded machine
        var second = commit.SubmitAsync(2);
        await Task.WhenAll(first, second);

        Assert.Equal([[1, 2]], batches.ToArray());
    }

    [Fact]
    public async Task Without_a_linger_a_lone_item_is_written_at_once()
    {
        var batches = new ConcurrentQueue<int[]>();
        await using var commit = new GroupCommit<int>((items, _) => { batches.Enqueue(items.ToArray()); return Task.CompletedTask; });

        // Far sooner than any linger would allow (the test above waits two seconds for company).
        await commit.SubmitAsync(1).WaitAsync(TimeSpan.FromSeconds(1));
        await commit.SubmitAsync(2).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([[1], [2]], batches.ToArray());
    }

    [Fact]
    public async Task A_failed_batch_faults_every_item_in_it_and_the_next_batch_still_runs()
    {
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        await using var commit = new GroupCommit<int>(async (items, _) =>
        {
            if (items[0] == 0)
            {
                held.SetResult();
                await release.Task;
            }

            if (items.Contains(13))
            {
                throw new InvalidOperationException("refused");
            }
        });

        var holding = commit.SubmitAsync(0);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var refused = new[] { commit.SubmitAsync(13), commit.SubmitAsync(14) }; // queued together behind the held batch
        release.SetResult();
        await holding.WaitAsync(TimeSpan.FromSeconds(10));

        foreach (var item in refused)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => item);
        }

        await commit.SubmitAsync(15);
    }

    private static Task WaitUntilAsync(Func<bool> condition) =>
        Eventually.HoldsAsync(condition, "the group commit reaches the expected point", poll: TimeSpan.FromMilliseconds(5));
}
