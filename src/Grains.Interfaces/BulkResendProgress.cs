namespace CIOPulse.Grains.Interfaces;

/// <summary>A bulk resend operation as it stands: <see cref="Done"/> of <see cref="Total"/> webhooks have had their attempt.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendProgress")]
public sealed record BulkResendProgress(
    [property: Id(0)] string Id,
    [property: Id(1)] BulkResendStatus Status,
    [property: Id(2)] int Total,
    [property: Id(3)] int Done,
    [property: Id(4)] int Succeeded,
    [property: Id(5)] int Failed,
    [property: Id(6)] DateTime StartedUtc,
    [property: Id(7)] DateTime? FinishedUtc,
    [property: Id(8)] BulkResendFilter Filter,
    [property: Id(9)] int RatePerSecond);
