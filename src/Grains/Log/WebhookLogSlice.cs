using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Log;

/// <summary>A page from the store and the position to continue from (null at the end of the pass).</summary>
public sealed record WebhookLogSlice(IReadOnlyList<WebhookLogItem> Items, WebhookLogPosition? Next);
