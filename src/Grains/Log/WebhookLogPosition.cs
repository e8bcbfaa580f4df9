namespace CIOPulse.Grains.Log;

/// <summary>
/// Where a pass over the log stands: the snapshot it reads (opaque to all but the store that made it:
/// a version number in memory, a <c>pg_snapshot</c> on PostgreSQL), when that snapshot was taken, and
/// the sort key of the last row it returned, if any.
/// </summary>
public sealed record WebhookLogPosition(string Snapshot, DateTime SnapshotUtc, DateTime? AfterLastActivityUtc, string? AfterWebhookId);
