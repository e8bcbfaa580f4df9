using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// An open Webhook Log page (a portal connection) that is told of every row of its account as the
/// row changes. Best effort: the page also re-reads the index now and then, so a lost notice only
/// delays a change.
/// </summary>
[Alias("ciopulse.IWebhookLogWatcher")]
public interface IWebhookLogWatcher : IGrainObserver
{
    [OneWay, Alias("RowChanged")]
    Task RowChanged(WebhookLogItem item);
}
