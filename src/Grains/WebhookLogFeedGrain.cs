using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Utilities;

namespace CIOPulse.Grains;

/// <summary>
/// Fans an account's changed log rows out to the portal pages watching it. Deliveries publish only
/// while the account grain says someone watches (<see cref="IAccountGrain.KeepLogLive"/>, renewed
/// with every subscription), so an account nobody watches costs nothing here.
/// </summary>
[Reentrant]
public sealed class WebhookLogFeedGrain(GrainReferences grains, ILogger<WebhookLogFeedGrain> logger) : Grain, IWebhookLogFeedGrain
{
    private readonly ObserverManager<IWebhookLogWatcher> _watchers = new(IWebhookLogFeedGrain.WatchLifetime, logger);

    private string AccountId => this.GetPrimaryKeyString();

    public Task Watch(IWebhookLogWatcher watcher)
    {
        _watchers.Subscribe(watcher, watcher);

        // A little longer than a subscription, so renewals keep it on without a gap.
        return grains.Get<IAccountGrain>(AccountId).KeepLogLive(IWebhookLogFeedGrain.WatchLifetime + TimeSpan.FromSeconds(10));
    }

    public Task Unwatch(IWebhookLogWatcher watcher)
    {
        _watchers.Unsubscribe(watcher);
        return Task.CompletedTask;
    }

    // One-way notices: a watcher that has gone away lapses with its subscription.
    public Task Publish(WebhookLogItem item) =>
        _watchers.Count > 0 ? _watchers.Notify(watcher => watcher.RowChanged(item)) : Task.CompletedTask;
}
