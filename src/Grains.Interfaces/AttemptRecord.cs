namespace CIOPulse.Grains.Interfaces;

/// <summary>One POST to the receiver. <see cref="ResponseCode"/> is null when no HTTP answer came.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.AttemptRecord")]
public sealed record AttemptRecord(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTime StartedUtc,
    [property: Id(2)] long DurationMs,
    [property: Id(3)] int? ResponseCode,
    [property: Id(4)] string? Response,
    [property: Id(5)] string? Error);
