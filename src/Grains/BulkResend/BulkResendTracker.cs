using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.BulkResend;

/// <summary>
/// A running operation's progress over its fixed list of webhooks. Attempts finish in any order; the
/// durable part is the contiguous prefix done (<see cref="Position"/>) with its counts, so after a
/// crash the operation replays from there, and the delivery grains answer the replayed ones without a
/// second attempt: the counts come out exact. <see cref="Done"/> and its counts also include what
/// finished beyond the prefix, for the progress shown while it runs.
/// </summary>
public sealed class BulkResendTracker(int position, int succeeded, int failed)
{
    private readonly Dictionary<int, bool> _beyond = [];
    private int _beyondSucceeded;

    /// <summary>Every index below this one is done.</summary>
    public int Position { get; private set; } = position;

    /// <summary>Succeeded among the first <see cref="Position"/>.</summary>
    public int PrefixSucceeded { get; private set; } = succeeded;

    /// <summary>Failed among the first <see cref="Position"/>.</summary>
    public int PrefixFailed { get; private set; } = failed;

    public int Done => Position + _beyond.Count;

    public int Succeeded => PrefixSucceeded + _beyondSucceeded;

    public int Failed => PrefixFailed + (_beyond.Count - _beyondSucceeded);

    /// <summary>Records index <paramref name="index"/>'s outcome (once: a repeat is ignored) and moves the prefix on.</summary>
    public void Complete(int index, BulkResendAttemptOutcome outcome)
    {
        if (index < Position || _beyond.ContainsKey(index))
        {
            return;
        }

        var ok = outcome == BulkResendAttemptOutcome.Succeeded;
        _beyond[index] = ok;
        _beyondSucceeded += ok ? 1 : 0;
        while (_beyond.Remove(Position, out var next))
        {
            _beyondSucceeded -= next ? 1 : 0;
            PrefixSucceeded += next ? 1 : 0;
            PrefixFailed += next ? 0 : 1;
            Position++;
        }
    }
}
