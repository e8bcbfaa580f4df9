using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Log;

/// <param name="Search">Only the webhook with this Webhook_ID or the webhooks of this Response_ID (exact); null for all.</param>
public sealed record WebhookLogFilter(WebhookStatus? Status, ListeningPost? ListeningPost, string? Search = null)
{
    public bool Matches(WebhookLogItem item) =>
        (Status is null || item.Status == Status)
        && (ListeningPost is null || item.ListeningPost == ListeningPost)
        && (Search is null || item.WebhookId == Search || item.ResponseId == Search);
}
