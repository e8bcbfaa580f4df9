namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The retention sweep (one grain, key <see cref="Key"/>): every <c>Webhooks:RetentionSweepInterval</c>
/// it removes the payload and response bodies of finished webhooks whose last activity is older than
/// <c>Webhooks:RetentionDays</c>, in batches, through each webhook's own grain. An Orleans reminder
/// keeps it going, so it survives restarts and silo deaths.
/// </summary>
[Alias("ciopulse.IRetentionSweepGrain")]
public interface IRetentionSweepGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Registers the sweep's reminder (every silo calls this at start; repeating it changes nothing).</summary>
    [Alias("Start")]
    Task Start();

    /// <summary>Runs one sweep tick now, as the reminder does, and tells what it did.</summary>
    [Alias("SweepNow")]
    Task<RetentionSweepReport> SweepNow();
}
