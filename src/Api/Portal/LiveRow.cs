using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Portal;

/// <summary>A Webhook Log row as the live stream sends it to a page's script, with its display texts.</summary>
public sealed record LiveRow(
    string WebhookId,
    string ResponseId,
    string ListeningPost,
    DateTime LastActivityUtc,
    string LastActivity,
    int? LastResponseCode,
    string LastResponse,
    int Attempts,
    WebhookStatus Status,
    string StatusText,
    bool Test,
    bool Expired)
{
    public static LiveRow From(WebhookLogItem item) => new(
        item.WebhookId,
        item.ResponseId,
        item.ListeningPost.ToString(),
        item.LastActivityUtc,
        PortalText.Gmt(item.LastActivityUtc),
        item.LastResponseCode,
        item.LastResponse ?? "",
        item.Attempts,
        item.Status,
        PortalText.StatusText(item.Status),
        item.Test,
        item.Expired);
}
