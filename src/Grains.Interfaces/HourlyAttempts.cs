namespace CIOPulse.Grains.Interfaces;

/// <summary>How many of an account's attempts started in one hour (UTC) succeeded and failed.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.HourlyAttempts")]
public sealed record HourlyAttempts(
    [property: Id(0)] DateTime HourUtc,
    [property: Id(1)] int Succeeded,
    [property: Id(2)] int Failed);
