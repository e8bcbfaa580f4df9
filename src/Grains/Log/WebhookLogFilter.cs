using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Log;

public sealed record WebhookLogFilter(WebhookStatus? Status, ListeningPost? ListeningPost)
{
    public bool Matches(WebhookLogItem item) =>
        (Status is null || item.Status == Status) && (ListeningPost is null || item.ListeningPost == ListeningPost);
}
