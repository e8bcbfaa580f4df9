using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One account's live Webhook Log (key: account id): delivery grains publish changed rows, open
/// portal pages watch. Not persisted; a watcher renews its subscription, which also keeps the
/// account's deliveries publishing (<see cref="DeliveryTarget.LiveLog"/>).
/// </summary>
[Alias("ciopulse.IWebhookLogFeedGrain")]
public interface IWebhookLogFeedGrain : IGrainWithStringKey
{
    /// <summary>Subscribes or renews <paramref name="watcher"/>; a subscription not renewed within <see cref="WatchLifetime"/> lapses.</summary>
    [Alias("Watch")]
    Task Watch(IWebhookLogWatcher watcher);

    [Alias("Unwatch")]
    Task Unwatch(IWebhookLogWatcher watcher);

    [OneWay, Alias("Publish")]
    Task Publish(WebhookLogItem item);

    /// <summary>How long a subscription lasts without renewal.</summary>
    public static readonly TimeSpan WatchLifetime = TimeSpan.FromMinutes(1);
}
