namespace CIOPulse.Grains.BulkResend;

/// <summary>
/// Spaces an operation's resends <c>1 / rate</c> apart, on average exactly: each start is due one
/// interval after the previous one's due time, and an operation that fell behind (a slow receiver,
/// a full in-flight window) starts again from now instead of catching up in a burst.
/// </summary>
public sealed class BulkResendPacer(int ratePerSecond)
{
    private readonly TimeSpan _interval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / Math.Max(1, ratePerSecond));
    private TimeSpan? _nextDue;

    public TimeSpan Interval => _interval;

    /// <summary>How long to wait, at <paramref name="now"/> (time since any fixed origin), before the next start.</summary>
    public TimeSpan WaitBeforeNext(TimeSpan now)
    {
        if (_nextDue is not { } due || now - due > _interval)
        {
            _nextDue = due = now;
        }

        return due > now ? due - now : TimeSpan.Zero;
    }

    /// <summary>Records that the next start happened (at its due time or later).</summary>
    public void Started() => _nextDue += _interval;
}
