namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One sweep tick of the retention: the candidates it asked the log for in each batch (at most
/// <c>Webhooks:RetentionSweepBatchSize</c> each), how many of them it expired and kept, and how long it took.
/// <see cref="Complete"/>: the last batch was short, so nothing older than the cut-off was left.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.RetentionSweepReport")]
public sealed record RetentionSweepReport(
    [property: Id(0)] DateTime CutoffUtc,
    [property: Id(1)] IReadOnlyList<int> BatchSizes,
    [property: Id(2)] int Expired,
    [property: Id(3)] int Kept,
    [property: Id(4)] TimeSpan Elapsed,
    [property: Id(5)] bool Complete);
