using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Log;

/// <param name="Search">Only the webhook with this Webhook_ID or the webhooks of this Response_ID (exact); null for all.</param>
/// <param name="LastActivityFromUtc">Only webhooks whose last activity is at or after this instant; null for no lower bound.</param>
/// <param name="LastActivityUntilUtc">Only webhooks whose last activity is before this instant (exclusive); null for no upper bound.</param>
/// <param name="LastResponseCode">
/// Only webhooks whose last answer had this HTTP status; <see cref="NoResponse"/> (0) for those whose last
/// attempt got no HTTP answer (or that have had no attempt yet); null for any.
/// </param>
public sealed record WebhookLogFilter(
    WebhookStatus? Status,
    ListeningPost? ListeningPost,
    string? Search = null,
    DateTime? LastActivityFromUtc = null,
    DateTime? LastActivityUntilUtc = null,
    int? LastResponseCode = null)
{
    /// <summary>The <see cref="LastResponseCode"/> that matches a webhook with no HTTP answer (a null code).</summary>
    public const int NoResponse = 0;

    public bool Matches(WebhookLogItem item) =>
        (Status is null || item.Status == Status)
        && (ListeningPost is null || item.ListeningPost == ListeningPost)
        && (Search is null || item.WebhookId == Search || item.ResponseId == Search)
        && (LastActivityFromUtc is null || item.LastActivityUtc >= LastActivityFromUtc)
        && (LastActivityUntilUtc is null || item.LastActivityUtc < LastActivityUntilUtc)
        && (LastResponseCode is null || (item.LastResponseCode ?? NoResponse) == LastResponseCode);
}
