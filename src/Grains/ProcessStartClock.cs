using System.Diagnostics;

namespace CIOPulse.Grains;

/// <summary>
/// The system clock with timestamps counted from when this clock was made rather than from when
/// the machine booted; every elapsed time measured with it is unchanged.
/// </summary>
/// <remarks>
/// Given to Orleans' membership area, whose silo watchdog (Orleans 10.4) can read its component
/// check's timestamp before first setting it: it starts its platform thread, which compares against
/// the still-zero timestamp, before it records the start. With boot-based timestamps that reads as
/// the machine's uptime and logs "Participant check thread has not completed for 3.04:12:55" at
/// every start; from this clock's origin it reads as the moments since start-up, under the
/// threshold, and a real stall is still reported.
/// </remarks>
public sealed class ProcessStartClock : TimeProvider
{
    private readonly long _origin = Stopwatch.GetTimestamp() - 1;

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override long GetTimestamp() => Stopwatch.GetTimestamp() - _origin;
}
