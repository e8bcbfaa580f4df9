namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// What a bulk resend operation is given when it starts: its account, the filter it was chosen by,
/// its rate, and how many webhook ids its chunks hold (the set is fixed; it never queries again).
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendDefinition")]
public sealed record BulkResendDefinition(
    [property: Id(0)] string AccountId,
    [property: Id(1)] BulkResendFilter Filter,
    [property: Id(2)] int RatePerSecond,
    [property: Id(3)] int Total,
    [property: Id(4)] DateTime StartedUtc);
