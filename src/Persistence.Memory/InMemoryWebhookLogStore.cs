using System.Globalization;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;

namespace CIOPulse.Persistence.Memory;

/// <summary>
/// The embedded mode's log index: per account, a sorted set of row versions. A row's old version
/// stays visible to snapshots taken before it was replaced, until no cursor can reach it any more
/// (<see cref="WebhookLogCursor.Lifetime"/>). Not durable, like everything in embedded mode.
/// </summary>
public sealed class InMemoryWebhookLogStore(TimeProvider timeProvider) : IWebhookLogStore
{
    private readonly Dictionary<string, AccountLog> _accounts = new(StringComparer.Ordinal);
    private long _version;

    public Task RecordAsync(string accountId, WebhookLogItem item, AttemptTally? attempt = null, CancellationToken cancellationToken = default)
    {
        Record(accountId, item, replace: true, attempt);
        return Task.CompletedTask;
    }

    public Task RecordNewAsync(string accountId, WebhookLogItem item, CancellationToken cancellationToken = default)
    {
        Record(accountId, item, replace: false, attempt: null);
        return Task.CompletedTask;
    }

    public Task<WebhookBacklog> CountInProgressAsync(CancellationToken cancellationToken = default)
    {
        long inProgress = 0, retriesPending = 0;
        AccountLog[] accounts;
        lock (_accounts)
        {
            accounts = [.. _accounts.Values];
        }

        foreach (var log in accounts)
        {
            lock (log)
            {
                foreach (var row in log.Current.Values)
                {
                    if (row.Item.Status == WebhookStatus.InProgress)
                    {
                        inProgress++;
                        retriesPending += row.Item.Attempts > 0 ? 1 : 0;
                    }
                }
            }
        }

        return Task.FromResult(new WebhookBacklog(inProgress, retriesPending));
    }

    public Task<long> CountAsync(string accountId, WebhookLogFilter filter, CancellationToken cancellationToken = default) =>
        Task.FromResult((long)CurrentMatching(accountId, filter).Count);

    public Task<IReadOnlyList<string>> ListIdsAsync(string accountId, WebhookLogFilter filter, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(
            [.. CurrentMatching(accountId, filter).OrderBy(i => i.LastActivityUtc).ThenBy(i => i.WebhookId, StringComparer.Ordinal).Take(limit).Select(i => i.WebhookId)]);

    private List<WebhookLogItem> CurrentMatching(string accountId, WebhookLogFilter filter)
    {
        AccountLog? log;
        lock (_accounts)
        {
            _accounts.TryGetValue(accountId, out log);
        }

        if (log is null)
        {
            return [];
        }

        lock (log)
        {
            return [.. log.Current.Values.Select(r => r.Item).Where(i => !i.Expired && !i.Test && filter.Matches(i))];
        }
    }

    /// <remarks>A scan of every account's current rows: the embedded mode is for one node's worth of webhooks.</remarks>
    public Task<IReadOnlyList<RetentionCandidate>> FindExpiryCandidatesAsync(DateTime cutoffUtc, RetentionCandidate? after, int limit, CancellationToken cancellationToken = default)
    {
        AccountLog[] accounts;
        lock (_accounts)
        {
            accounts = [.. _accounts.Values];
        }

        var candidates = new List<RetentionCandidate>();
        foreach (var log in accounts)
        {
            lock (log)
            {
                foreach (var row in log.Current.Values)
                {
                    var item = row.Item;
                    if (!item.Expired && item.Status != WebhookStatus.InProgress && item.LastActivityUtc < cutoffUtc
                        && (after is null || CandidateOrder(new RetentionCandidate(item.WebhookId, item.LastActivityUtc), after) > 0))
                    {
                        candidates.Add(new RetentionCandidate(item.WebhookId, item.LastActivityUtc));
                    }
                }
            }
        }

        candidates.Sort(CandidateOrder);
        return Task.FromResult<IReadOnlyList<RetentionCandidate>>(candidates.Count > limit ? candidates[..limit] : candidates);
    }

    private static int CandidateOrder(RetentionCandidate x, RetentionCandidate y)
    {
        var byActivity = x.LastActivityUtc.CompareTo(y.LastActivityUtc);
        return byActivity != 0 ? byActivity : string.CompareOrdinal(x.WebhookId, y.WebhookId);
    }

    private void Record(string accountId, WebhookLogItem item, bool replace, AttemptTally? attempt)
    {
        var log = GetOrAddAccount(accountId);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        lock (log)
        {
            if (!replace && log.Current.ContainsKey(item.WebhookId))
            {
                return;
            }

            var version = Interlocked.Increment(ref _version);
            if (log.Current.TryGetValue(item.WebhookId, out var previous))
            {
                previous.ValidTo = version;
                previous.ReplacedUtc = now;
                log.Retired.Enqueue(previous);
            }

            var row = new RowVersion(item, version);
            log.Current[item.WebhookId] = row;
            log.Rows.Add(row);
            if (attempt is { } tally)
            {
                var hour = tally.HourUtc;
                var (succeeded, failed) = log.Hours.GetValueOrDefault(hour);
                log.Hours[hour] = tally.Succeeded ? (succeeded + 1, failed) : (succeeded, failed + 1);
                PruneHours(log, now);
            }

            Prune(log, now);
        }
    }

    public Task<IReadOnlyList<HourlyAttempts>> ReadAttemptsPerHourAsync(string accountId, DateTime fromHourUtc, CancellationToken cancellationToken = default)
    {
        AccountLog? log;
        lock (_accounts)
        {
            _accounts.TryGetValue(accountId, out log);
        }

        if (log is null)
        {
            return Task.FromResult<IReadOnlyList<HourlyAttempts>>([]);
        }

        lock (log)
        {
            return Task.FromResult<IReadOnlyList<HourlyAttempts>>(
                [.. log.Hours.Where(h => h.Key >= fromHourUtc).Select(h => new HourlyAttempts(h.Key, h.Value.Succeeded, h.Value.Failed))]);
        }
    }

    public Task<WebhookLogSlice> ReadAsync(string accountId, WebhookLogFilter filter, WebhookLogPosition? position, int limit, CancellationToken cancellationToken = default)
    {
        var snapshot = position ?? new WebhookLogPosition(
            Interlocked.Read(ref _version).ToString(CultureInfo.InvariantCulture), timeProvider.GetUtcNow().UtcDateTime, null, null);
        if (!long.TryParse(snapshot.Snapshot, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new FormatException("The cursor's snapshot was not made by this store.");
        }

        AccountLog? log;
        lock (_accounts)
        {
            _accounts.TryGetValue(accountId, out log);
        }

        if (log is null)
        {
            return Task.FromResult(new WebhookLogSlice([], null));
        }

        var items = new List<WebhookLogItem>(limit);
        var more = false;
        lock (log)
        {
            IEnumerable<RowVersion> rows = log.Rows;
            if (snapshot.AfterLastActivityUtc is { } afterActivity && snapshot.AfterWebhookId is { } afterId)
            {
                // Versions sort by (activity desc, id desc, version desc); this probe sorts after every
                // version of the last returned row, so the view starts at the row after it.
                var probe = new RowVersion(new WebhookLogItem(afterId, "", default, afterActivity, null, null, 0, default), long.MinValue);
                var last = log.Rows.Max;
                if (last is null || RowOrder.Instance.Compare(probe, last) > 0)
                {
                    return Task.FromResult(new WebhookLogSlice([], null));
                }

                rows = log.Rows.GetViewBetween(probe, last);
            }

            foreach (var row in rows)
            {
                if (row.ValidFrom > version || row.ValidTo <= version || !filter.Matches(row.Item))
                {
                    continue;
                }

                if (items.Count == limit)
                {
                    more = true;
                    break;
                }

                items.Add(row.Item);
            }
        }

        var next = more ? snapshot with { AfterLastActivityUtc = items[^1].LastActivityUtc, AfterWebhookId = items[^1].WebhookId } : null;
        return Task.FromResult(new WebhookLogSlice(items, next));
    }

    private AccountLog GetOrAddAccount(string accountId)
    {
        lock (_accounts)
        {
            if (!_accounts.TryGetValue(accountId, out var log))
            {
                _accounts[accountId] = log = new AccountLog();
            }

            return log;
        }
    }

    private static void Prune(AccountLog log, DateTime now)
    {
        while (log.Retired.TryPeek(out var oldest) && now - oldest.ReplacedUtc > WebhookLogCursor.Lifetime)
        {
            log.Retired.Dequeue();
            log.Rows.Remove(oldest);
        }

    }

    private static void PruneHours(AccountLog log, DateTime now)
    {
        while (log.Hours.Count > 0 && log.Hours.Keys.First() is var oldest && now - oldest > AttemptTally.Retention)
        {
            log.Hours.Remove(oldest);
        }
    }

    private sealed class AccountLog
    {
        public SortedSet<RowVersion> Rows { get; } = new(RowOrder.Instance);

        public Dictionary<string, RowVersion> Current { get; } = new(StringComparer.Ordinal);

        public Queue<RowVersion> Retired { get; } = new();

        public SortedDictionary<DateTime, (int Succeeded, int Failed)> Hours { get; } = [];
    }

    private sealed class RowVersion(WebhookLogItem item, long validFrom)
    {
        public WebhookLogItem Item { get; } = item;

        public long ValidFrom { get; } = validFrom;

        public long ValidTo { get; set; } = long.MaxValue;

        public DateTime ReplacedUtc { get; set; }
    }

    private sealed class RowOrder : IComparer<RowVersion>
    {
        public static readonly RowOrder Instance = new();

        public int Compare(RowVersion? x, RowVersion? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byActivity = y.Item.LastActivityUtc.CompareTo(x.Item.LastActivityUtc);
            if (byActivity != 0)
            {
                return byActivity;
            }

            var byId = string.CompareOrdinal(y.Item.WebhookId, x.Item.WebhookId);
            return byId != 0 ? byId : y.ValidFrom.CompareTo(x.ValidFrom);
        }
    }
}
