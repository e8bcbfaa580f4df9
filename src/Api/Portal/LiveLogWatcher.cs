using System.Threading.Channels;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Portal;

/// <summary>
/// One open portal page's subscription to its account's live log: an Orleans observer whose notices
/// queue here until the page's event stream takes them. Bounded: a page that cannot keep up loses
/// the oldest notices, and the stream's periodic re-read of the index brings it level again.
/// </summary>
public sealed class LiveLogWatcher : IWebhookLogWatcher, IAsyncDisposable
{
    public const int Capacity = 10_000;

    private readonly Channel<WebhookLogItem> _changes = Channel.CreateBounded<WebhookLogItem>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly IGrainFactory _grains;
    private readonly IWebhookLogFeedGrain _feed;
    private IWebhookLogWatcher? _reference;

    private LiveLogWatcher(IGrainFactory grains, string accountId)
    {
        _grains = grains;
        _feed = grains.GetGrain<IWebhookLogFeedGrain>(accountId);
    }

    public ChannelReader<WebhookLogItem> Changes => _changes.Reader;

    public static async Task<LiveLogWatcher> StartAsync(IGrainFactory grains, string accountId)
    {
        var watcher = new LiveLogWatcher(grains, accountId);
        watcher._reference = grains.CreateObjectReference<IWebhookLogWatcher>(watcher);
        try
        {
            await watcher.RenewAsync();
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        return watcher;
    }

    /// <summary>Subscribes again, before <see cref="IWebhookLogFeedGrain.WatchLifetime"/> runs out (also after the feed's silo went away).</summary>
    public Task RenewAsync() => _feed.Watch(_reference!);

    public Task RowChanged(WebhookLogItem item)
    {
        _changes.Writer.TryWrite(item);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _changes.Writer.TryComplete();
        if (_reference is null)
        {
            return;
        }

        try
        {
            await _feed.Unwatch(_reference);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // The subscription lapses on its own.
        }

        _grains.DeleteObjectReference<IWebhookLogWatcher>(_reference);
        _reference = null;
    }
}
