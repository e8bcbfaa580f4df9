namespace CIOPulse.Grains.Log;

/// <summary>An attempt to count in its account's attempts per hour, recorded with the log row it changed.</summary>
public readonly record struct AttemptTally(DateTime StartedUtc, bool Succeeded)
{
    /// <summary>How long the hourly counts are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(8);

    public DateTime HourUtc => HourOf(StartedUtc);

    public static DateTime HourOf(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc);
}
