using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CIOPulse.Api.Endpoints;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Portal;

/// <summary>
/// <c>GET /portal/live</c>: server-sent events with the signed-in account's log rows as they change,
/// for the Webhook Log and detail pages (<c>?webhookId=</c> narrows it to one webhook). Rows are
/// pushed by the deliveries through the account's feed grain as soon as they are stored; every few
/// seconds the stream also re-reads the newest rows of the index and sends any that differ from
/// what it sent, so a notice lost on the way (a silo restart, a subscription made while an attempt
/// was running) only delays a change.
/// </summary>
public static class LiveLogEndpoint
{
    public const string RowsEvent = "rows";
    public const string ReadyEvent = "ready";
    public const string PingEvent = "ping";

    /// <summary>How many of the newest rows each re-read compares.</summary>
    public const int ReconciledRows = 100;

    private const int MaxRowsPerEvent = 500;
    private const int MaxKnownRows = 10_000;

    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Reconciliation = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    // Changes that land close together go as one event.
    private static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(100);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static IEndpointConventionBuilder MapLiveLog(this IEndpointRouteBuilder app) =>
        app.MapGet(PortalPaths.Live, Stream).RequireAuthorization(PortalAuthentication.Policy).ExcludeFromDescription();

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream(
        HttpContext context, string? webhookId, IGrainFactory grains, IHostApplicationLifetime lifetime)
    {
        if (webhookId is not null && !WebhookLogEndpoints.IsWebhookId(webhookId))
        {
            return ApiProblems.Invalid("webhookId", "must be a Webhook ID: 13 characters 0-9 and a-f.");
        }

        var viewer = PortalViewer.From(context.User)!;
        context.Response.Headers.CacheControl = "no-store";

        // Proxies that buffer would hold the events back.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        // A stopping node ends its streams at once (the pages reconnect, to another node behind a
        // load balancer) instead of holding the shutdown for them.
        var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(ending);
        return TypedResults.ServerSentEvents(EventsAsync(grains, viewer.AccountId, webhookId, ending.Token));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        IGrainFactory grains, string accountId, string? webhookId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var watcher = await LiveLogWatcher.StartAsync(grains, accountId);
        var sent = new Dictionary<string, WebhookLogItem>(StringComparer.Ordinal);
        var log = grains.GetGrain<IWebhookLogGrain>(0);

        yield return new SseItem<string>("{}", ReadyEvent) { ReconnectionInterval = TimeSpan.FromSeconds(3) };

        var clock = TimeProvider.System;
        var nextReconciliation = clock.GetUtcNow();
        var nextRenewal = clock.GetUtcNow() + Renewal;
        var lastEvent = clock.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            var changed = new Dictionary<string, WebhookLogItem>(StringComparer.Ordinal);
            var now = clock.GetUtcNow();
            if (now >= nextReconciliation)
            {
                var page = await log.Query(accountId, new WebhookLogQuery(null, null, ReconciledRows, null, webhookId));
                foreach (var item in page.Items)
                {
                    Keep(changed, item);
                }

                nextReconciliation = now + Reconciliation;
            }

            if (now >= nextRenewal)
            {
                await watcher.RenewAsync();
                nextRenewal = now + Renewal;
            }

            if (changed.Count == 0)
            {
                var wait = Min(nextReconciliation, nextRenewal, lastEvent + Heartbeat) - now;
                if (await WaitForChangeAsync(watcher, wait, cancellationToken))
                {
                    // Let the changes of the same moment join this event.
                    await Task.Delay(Coalescing, cancellationToken);
                }
            }

            while (changed.Count < MaxRowsPerEvent && watcher.Changes.TryRead(out var item))
            {
                if (webhookId is null || item.WebhookId == webhookId)
                {
                    Keep(changed, item);
                }
            }

            var rows = changed.Values.Where(item => IsNews(item, sent)).ToList();
            if (rows.Count > 0)
            {
                if (sent.Count > MaxKnownRows)
                {
                    sent.Clear();
                }

                rows.ForEach(item => sent[item.WebhookId] = item);
                lastEvent = clock.GetUtcNow();
                yield return new SseItem<string>(JsonSerializer.Serialize(rows.Select(LiveRow.From), Json), RowsEvent);
            }
            else if (clock.GetUtcNow() - lastEvent >= Heartbeat)
            {
                lastEvent = clock.GetUtcNow();
                yield return new SseItem<string>("{}", PingEvent);
            }
        }
    }

    /// <summary>Keeps the later of two versions of a row (<see cref="Compare"/>).</summary>
    private static void Keep(Dictionary<string, WebhookLogItem> rows, WebhookLogItem item)
    {
        if (!rows.TryGetValue(item.WebhookId, out var kept) || Compare(item, kept) >= 0)
        {
            rows[item.WebhookId] = item;
        }
    }

    /// <summary>Whether the page has not been sent this version of the row, nor a later one.</summary>
    private static bool IsNews(WebhookLogItem item, Dictionary<string, WebhookLogItem> sent) =>
        !sent.TryGetValue(item.WebhookId, out var last) || Compare(item, last) > 0 || (Compare(item, last) == 0 && item != last);

    /// <summary>
    /// Versions of a row order by attempts, then by activity, to the microsecond: PostgreSQL keeps no
    /// finer, so a row the grain pushed must not look newer than the same version read back from the
    /// log (that hid a change which only the re-read brings, such as the retention's expiry).
    /// </summary>
    private static int Compare(WebhookLogItem x, WebhookLogItem y) =>
        (x.Attempts, Microseconds(x.LastActivityUtc)).CompareTo((y.Attempts, Microseconds(y.LastActivityUtc)));

    private static long Microseconds(DateTime utc) => utc.Ticks / TimeSpan.TicksPerMicrosecond;

    private static async Task<bool> WaitForChangeAsync(LiveLogWatcher watcher, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return watcher.Changes.TryPeek(out _);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await watcher.Changes.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static DateTimeOffset Min(params DateTimeOffset[] times) => times.Min();
}
