namespace CIOPulse.Grains.Log;

/// <summary>
/// Where a pass over the log stands: the snapshot it reads (a store-wide version number and the time
/// it was taken) and the sort key of the last row it returned, if any.
/// </summary>
public sealed record WebhookLogPosition(long Snapshot, DateTime SnapshotUtc, DateTime? AfterLastActivityUtc, string? AfterWebhookId);
