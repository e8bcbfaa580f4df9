using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// Up to <see cref="Capacity"/> webhook ids of a bulk resend operation, written once
/// (key: <c>{operationId}/{n}</c>), so the operation's own state stays small.
/// </summary>
[Alias("ciopulse.IBulkResendChunkGrain")]
public interface IBulkResendChunkGrain : IGrainWithStringKey
{
    public const int Capacity = 1_000;

    /// <summary>Stores the ids unless the chunk holds some already (write-once).</summary>
    [Alias("Write")]
    Task Write(IReadOnlyList<string> webhookIds);

    [AlwaysInterleave, Alias("Read")]
    Task<IReadOnlyList<string>> Read();
}
