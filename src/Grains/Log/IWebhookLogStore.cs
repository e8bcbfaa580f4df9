using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Log;

/// <summary>
/// The Webhook Log index that delivery grains keep current and the listing reads, so a listing
/// never activates grains. Versioned: a cursor carries the snapshot its pass started at, and every
/// page of that pass shows each webhook exactly once, at its position as of that snapshot, even
/// while deliveries move rows around.
/// </summary>
public interface IWebhookLogStore
{
    /// <summary>
    /// Inserts or replaces the row of <paramref name="item"/>'s webhook; an <paramref name="attempt"/>
    /// that made the change is counted in the account's attempts per hour with it.
    /// </summary>
    Task RecordAsync(string accountId, WebhookLogItem item, AttemptTally? attempt = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the row of a newly accepted webhook unless the webhook has one: a repeated completion
    /// must not rewrite a row that has moved on since.
    /// </summary>
    Task RecordNewAsync(string accountId, WebhookLogItem item, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page in (LastActivityUtc desc, WebhookId desc) order as of <paramref name="position"/>'s
    /// snapshot (a new snapshot when null).
    /// </summary>
    Task<WebhookLogSlice> ReadAsync(string accountId, WebhookLogFilter filter, WebhookLogPosition? position, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many of the account's webhooks match <paramref name="filter"/> now (current rows only, none
    /// expired and no test webhook: what a bulk resend is for).
    /// </summary>
    Task<long> CountAsync(string accountId, WebhookLogFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// The Webhook_IDs of the account's webhooks that match <paramref name="filter"/> now (current rows
    /// only, none expired, no test webhook), oldest activity first, at most <paramref name="limit"/> of them.
    /// </summary>
    Task<IReadOnlyList<string>> ListIdsAsync(string accountId, WebhookLogFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The account's attempts per hour from <paramref name="fromHourUtc"/> on, oldest first, hours
    /// without attempts left out (kept for <see cref="AttemptTally.Retention"/>).
    /// </summary>
    Task<IReadOnlyList<HourlyAttempts>> ReadAttemptsPerHourAsync(string accountId, DateTime fromHourUtc, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every account's webhooks InProgress now, and how many of them have had a failed attempt (a
    /// retry pending). A scan of the current rows: for a periodic gauge, not for a request.
    /// </summary>
    Task<WebhookBacklog> CountInProgressAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// For the retention sweep, across accounts: up to <paramref name="limit"/> current rows that are
    /// not expired, not InProgress and last active before <paramref name="cutoffUtc"/>, oldest first
    /// (then by Webhook ID), after <paramref name="after"/> in that order (from the start when null).
    /// </summary>
    Task<IReadOnlyList<RetentionCandidate>> FindExpiryCandidatesAsync(DateTime cutoffUtc, RetentionCandidate? after, int limit, CancellationToken cancellationToken = default);
}

/// <summary>Webhooks InProgress across the cluster, and those of them waiting to be retried.</summary>
public sealed record WebhookBacklog(long InProgress, long RetriesPending);
