using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using Orleans.Concurrency;

namespace CIOPulse.Grains;

[StatelessWorker]
public sealed class WebhookLogGrain(IWebhookLogStore store, TimeProvider timeProvider) : Grain, IWebhookLogGrain
{
    private const string InvalidCursor = "The cursor is not one this service issued; start again without it.";

    public async Task<WebhookLogPage> Query(string accountId, WebhookLogQuery query)
    {
        WebhookLogPosition? position = null;
        if (query.Cursor is { } cursor)
        {
            if (!WebhookLogCursor.TryDecode(cursor, out position))
            {
                return new WebhookLogPage([], null, InvalidCursor);
            }

            if (timeProvider.GetUtcNow().UtcDateTime - position!.SnapshotUtc > WebhookLogCursor.Lifetime)
            {
                return new WebhookLogPage([], null, "The cursor has expired; start again without it.");
            }
        }

        WebhookLogSlice slice;
        try
        {
            slice = await store.ReadAsync(accountId, new WebhookLogFilter(query.Status, query.ListeningPost, query.Search), position, query.Limit);
        }
        catch (FormatException)
        {
            return new WebhookLogPage([], null, InvalidCursor);
        }

        return new WebhookLogPage(slice.Items, slice.Next is { } next ? WebhookLogCursor.Encode(next) : null);
    }

    public Task<IReadOnlyList<HourlyAttempts>> AttemptsPerHour(string accountId, DateTime fromHourUtc) =>
        store.ReadAttemptsPerHourAsync(accountId, fromHourUtc);
}
