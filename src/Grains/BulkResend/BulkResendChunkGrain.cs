using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.BulkResend;

public sealed class BulkResendChunkGrain(
    [PersistentState("chunk", StorageNames.BulkResends)] IPersistentState<BulkResendChunkState> chunk) : Grain, IBulkResendChunkGrain
{
    /// <summary>The key of chunk <paramref name="number"/> of an operation.</summary>
    public static string Key(string operationId, int number) => $"{operationId}/{number}";

    public async Task Write(IReadOnlyList<string> webhookIds)
    {
        if (chunk.RecordExists || chunk.State.WebhookIds.Count > 0)
        {
            return;
        }

        if (webhookIds.Count > IBulkResendChunkGrain.Capacity)
        {
            throw new ArgumentException($"A chunk holds at most {IBulkResendChunkGrain.Capacity} ids.", nameof(webhookIds));
        }

        chunk.State.WebhookIds = [.. webhookIds];
        await chunk.WriteStateAsync();
    }

    public Task<IReadOnlyList<string>> Read() => Task.FromResult<IReadOnlyList<string>>(chunk.State.WebhookIds);
}
