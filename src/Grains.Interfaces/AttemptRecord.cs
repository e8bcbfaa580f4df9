namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One POST to the receiver. <see cref="ResponseCode"/> is null when no HTTP answer came;
/// <see cref="Failure"/> is null for a success (and for attempts recorded before it was kept).
/// <see cref="BulkResendId"/> names the bulk resend operation the attempt was made for, if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.AttemptRecord")]
public sealed record AttemptRecord(
    [property: Id(0)] int Number,
    [property: Id(1)] DateTime StartedUtc,
    [property: Id(2)] long DurationMs,
    [property: Id(3)] int? ResponseCode,
    [property: Id(4)] string? Response,
    [property: Id(5)] string? Error,
    [property: Id(6)] AttemptFailure? Failure = null,
    [property: Id(7)] bool ResponseTruncated = false,
    [property: Id(8)] string? BulkResendId = null);
