using CIOPulse.Grains.Interfaces;
using Npgsql;
using NpgsqlTypes;
using CIOPulse.Grains.Log;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// The Webhook Log index on PostgreSQL (table <c>webhook_log</c>, migrations 0002, 0006 and 0007). A change closes
/// the webhook's current row version and adds a new one, in one transaction; a listing pass reads
/// the versions visible in the PostgreSQL snapshot its first page was taken at
/// (<c>pg_current_snapshot()</c>, carried in the cursor), by keyset on
/// (last_activity, webhook_id) descending.
/// </summary>
public sealed class PostgresWebhookLogStore : IWebhookLogStore
{
    private const string InProgressCount =
        "SELECT count(*), count(*) FILTER (WHERE attempts > 0) FROM webhook_log WHERE replaced_xid IS NULL AND status = 0";

    private const string CloseCurrent =
        "UPDATE webhook_log SET replaced_xid = pg_current_xact_id(), replaced_at = now() WHERE webhook_id = ANY($1) AND replaced_xid IS NULL";

    private const string InsertCurrent =
        """
        INSERT INTO webhook_log (webhook_id, account_id, response_id, listening_post, last_activity, last_response_code, last_response, attempts, status, is_test, expired)
        SELECT * FROM unnest($1::char(13)[], $2::varchar[], $3::varchar[], $4::smallint[], $5::timestamptz[], $6::integer[], $7::varchar[], $8::integer[], $9::smallint[], $10::boolean[], $11::boolean[])
        """;

    // A webhook's first row: none if it has a current one (webhook_log_current is that index).
    private const string InsertFirst = InsertCurrent + " ON CONFLICT (webhook_id) WHERE replaced_xid IS NULL DO NOTHING";

    private const string Page =
        """
        WITH snap AS (SELECT COALESCE($2::pg_snapshot, pg_current_snapshot()) AS s)
        SELECT snap.s::text, l.webhook_id, l.response_id, l.listening_post, l.last_activity, l.last_response_code,
               l.last_response, l.attempts, l.status, l.is_test, l.expired
          FROM snap
          LEFT JOIN LATERAL (
               SELECT * FROM webhook_log w
                WHERE w.account_id = $1
                  AND ($3::timestamptz IS NULL OR (w.last_activity, w.webhook_id) < ($3, $4::char(13)))
                  AND ($5::smallint IS NULL OR w.status = $5)
                  AND ($6::smallint IS NULL OR w.listening_post = $6)
                  AND (($8::char(13) IS NULL AND $9::varchar IS NULL) OR w.webhook_id = $8 OR w.response_id = $9)
                  AND pg_visible_in_snapshot(w.created_xid, snap.s)
                  AND (w.replaced_xid IS NULL OR NOT pg_visible_in_snapshot(w.replaced_xid, snap.s))
                ORDER BY w.last_activity DESC, w.webhook_id DESC
                LIMIT $7) l ON true
        """;

    // Current rows only, no test webhook, and none the retention has expired (a bulk resend cannot
    // send them). The window bounds lead the conditions so that the (account_id, last_activity,
    // webhook_id) index (or its status or post sibling) serves a 14-day window in an account.
    private const string Matching =
        """
        FROM webhook_log w
        WHERE w.account_id = $1
          AND w.replaced_xid IS NULL
          AND NOT w.expired
          AND NOT w.is_test
          AND ($2::timestamptz IS NULL OR w.last_activity >= $2)
          AND ($3::timestamptz IS NULL OR w.last_activity < $3)
          AND ($4::smallint IS NULL OR w.status = $4)
          AND ($5::smallint IS NULL OR w.listening_post = $5)
          AND ($6::integer IS NULL OR ($6 = 0 AND w.last_response_code IS NULL) OR w.last_response_code = $6)
          AND (($7::char(13) IS NULL AND $8::varchar IS NULL) OR w.webhook_id = $7 OR w.response_id = $8)
        """;

    internal const string CountMatching = "SELECT count(*) " + Matching;

    internal const string ListMatching = "SELECT w.webhook_id " + Matching + " ORDER BY w.last_activity, w.webhook_id LIMIT $9";

    // The retention sweep's keyset over the partial index webhook_log_retention (migration 0006).
    private const string ExpiryCandidates =
        """
        SELECT webhook_id, last_activity FROM webhook_log
         WHERE replaced_xid IS NULL AND NOT expired AND status <> 0
           AND last_activity < $1
           AND ($2::timestamptz IS NULL OR (last_activity, webhook_id) > ($2, $3::char(13)))
         ORDER BY last_activity, webhook_id
         LIMIT $4
        """;

    // Sorted by key, so two silos' batches lock the same hours in the same order.
    private const string CountAttempts =
        """
        INSERT INTO webhook_attempts_hourly (account_id, hour, succeeded, failed)
        SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::integer[], $4::integer[])
        ON CONFLICT (account_id, hour) DO UPDATE
           SET succeeded = webhook_attempts_hourly.succeeded + excluded.succeeded,
               failed = webhook_attempts_hourly.failed + excluded.failed
        """;

    private const string Hours =
        "SELECT hour, succeeded, failed FROM webhook_attempts_hourly WHERE account_id = $1 AND hour >= $2 ORDER BY hour";

    private const string PruneHours = "DELETE FROM webhook_attempts_hourly WHERE hour < now() - $1::interval";

    // Closed versions are stamped with the database's clock, so the cut-off is too; the margin
    // covers a service clock (which dates cursors) running somewhat ahead of the database's.
    private const string Prune =
        "DELETE FROM webhook_log WHERE replaced_xid IS NOT NULL AND replaced_at < now() - $1::interval";

    private static readonly TimeSpan PruneMargin = TimeSpan.FromMinutes(10);

    private static readonly Rows Writes = new(replace: true);
    private static readonly Rows FirstWrites = new(replace: false);

    private readonly PostgresGroupCommit _commits;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;

    public PostgresWebhookLogStore(PostgresGroupCommit commits, TimeProvider timeProvider)
    {
        _commits = commits;
        _dataSource = commits.DataSource;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// Completes once the row is committed. Rows of many webhooks share one transaction (group
    /// commit), with the state and reminder writes of the same moment, which is what keeps the log
    /// index from adding to the database's commits per webhook.
    /// </summary>
    public Task RecordAsync(string accountId, WebhookLogItem item, AttemptTally? attempt = null, CancellationToken cancellationToken = default) =>
        _commits.SubmitAsync(Writes, new Row(accountId, item, attempt));

    /// <inheritdoc/>
    /// <remarks>Committed like <see cref="RecordAsync"/>, in the group commit.</remarks>
    public Task RecordNewAsync(string accountId, WebhookLogItem item, CancellationToken cancellationToken = default) =>
        _commits.SubmitAsync(FirstWrites, new Row(accountId, item, null));

    public async Task<WebhookBacklog> CountInProgressAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(InProgressCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new WebhookBacklog(reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<long> CountAsync(string accountId, WebhookLogFilter filter, CancellationToken cancellationToken = default)
    {
        await using var command = MatchingCommand(_dataSource, CountMatching, accountId, filter);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<string>> ListIdsAsync(string accountId, WebhookLogFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = MatchingCommand(_dataSource, ListMatching, accountId, filter);
        command.Parameters.Add(new() { Value = limit });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>
    /// Text as PostgreSQL can store it: its text types cannot hold U+0000, so a write holding one is
    /// refused (and its group commit batch is done again entry by entry to find it). A receiver's
    /// answer may contain it (the API refuses it in a Response_ID), so it is kept as U+FFFD, the
    /// replacement character.
    /// </summary>
    internal static string? Storable(string? text) =>
        text is not null && text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    /// <summary>A command over <see cref="Matching"/> with the filter's parameters ($1..$8).</summary>
    internal static NpgsqlCommand MatchingCommand(NpgsqlDataSource dataSource, string sql, string accountId, WebhookLogFilter filter)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = (object?)filter.LastActivityFromUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)filter.LastActivityUntilUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = filter.Status is { } status ? (short)status : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = filter.ListeningPost is { } post ? (short)post : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = (object?)filter.LastResponseCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new() { Value = filter.Search is { Length: 13 } id ? Storable(id)! : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = (object?)Storable(filter.Search) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
        return command;
    }

    public async Task<IReadOnlyList<RetentionCandidate>> FindExpiryCandidatesAsync(DateTime cutoffUtc, RetentionCandidate? after, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(ExpiryCandidates);
        command.Parameters.Add(new() { Value = cutoffUtc, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.LastActivityUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)after?.WebhookId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = limit });
        var candidates = new List<RetentionCandidate>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            candidates.Add(new RetentionCandidate(reader.GetString(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)));
        }

        return candidates;
    }

    public async Task<IReadOnlyList<HourlyAttempts>> ReadAttemptsPerHourAsync(string accountId, DateTime fromHourUtc, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(Hours);
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = fromHourUtc, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var hours = new List<HourlyAttempts>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hours.Add(new HourlyAttempts(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetInt32(1), reader.GetInt32(2)));
        }

        return hours;
    }

    public async Task<WebhookLogSlice> ReadAsync(string accountId, WebhookLogFilter filter, WebhookLogPosition? position, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(Page);
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = (object?)position?.Snapshot ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)position?.AfterLastActivityUtc ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)position?.AfterWebhookId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = filter.Status is { } status ? (short)status : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = filter.ListeningPost is { } post ? (short)post : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Smallint });
        command.Parameters.Add(new() { Value = limit + 1 });
        command.Parameters.Add(new() { Value = filter.Search is { Length: 13 } id ? Storable(id)! : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Char });
        command.Parameters.Add(new() { Value = (object?)Storable(filter.Search) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });

        var items = new List<WebhookLogItem>(limit + 1);
        string? snapshot = null;
        await using (var reader = await ExecutePageAsync(command, position, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                snapshot ??= reader.GetString(0);
                if (reader.IsDBNull(1))
                {
                    continue;
                }

                items.Add(new WebhookLogItem(
                    reader.GetString(1),
                    reader.GetString(2),
                    (ListeningPost)reader.GetInt16(3),
                    DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc),
                    reader.IsDBNull(5) ? null : reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetInt32(7),
                    (WebhookStatus)reader.GetInt16(8),
                    Test: reader.GetBoolean(9),
                    Expired: reader.GetBoolean(10)));
            }
        }

        if (items.Count <= limit)
        {
            return new WebhookLogSlice(items, null);
        }

        items.RemoveAt(limit);
        var last = items[^1];
        var snapshotUtc = position?.SnapshotUtc ?? _timeProvider.GetUtcNow().UtcDateTime;
        return new WebhookLogSlice(items, new WebhookLogPosition(snapshot!, snapshotUtc, last.LastActivityUtc, last.WebhookId));
    }

    private static async Task<NpgsqlDataReader> ExecutePageAsync(NpgsqlCommand command, WebhookLogPosition? position, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (PostgresException e) when (position is not null && e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // Data exception: the snapshot text in the cursor is not one PostgreSQL accepts.
            throw new FormatException("The cursor's snapshot is not valid.", e);
        }
    }

    /// <summary>Deletes row versions that no cursor can reach any more, and hourly counts past their retention; returns how many rows.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(Prune);
        command.Parameters.Add(new() { Value = WebhookLogCursor.Lifetime + PruneMargin, NpgsqlDbType = NpgsqlDbType.Interval });
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);

        await using var hours = _dataSource.CreateCommand(PruneHours);
        hours.Parameters.Add(new() { Value = AttemptTally.Retention, NpgsqlDbType = NpgsqlDbType.Interval });
        return deleted + await hours.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A log row to write, with the attempt it counts (if any).</summary>
    private readonly record struct Row(string AccountId, WebhookLogItem Item, AttemptTally? Attempt);

    /// <summary>
    /// Turns a batch's log rows into statements of the shared group commit (they return nothing):
    /// new versions that replace the current ones, or first rows that give way to an existing one.
    /// </summary>
    private sealed class Rows(bool replace) : IPostgresBatchPart<Row>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<Row> rows, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            // A webhook changed twice within one batch: only its latest row becomes a version.
            var latest = rows.GroupBy(r => r.Item.WebhookId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
            if (replace)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(CloseCurrent)
                {
                    Parameters = { new() { Value = latest.Select(r => r.Item.WebhookId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Char } },
                });
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(replace ? InsertCurrent : InsertFirst)
            {
                Parameters =
                {
                    new() { Value = latest.Select(r => r.Item.WebhookId).ToArray() },
                    new() { Value = latest.Select(r => r.AccountId).ToArray() },
                    new() { Value = latest.Select(r => Storable(r.Item.ResponseId)).ToArray() },
                    new() { Value = latest.Select(r => (short)r.Item.ListeningPost).ToArray() },
                    new() { Value = latest.Select(r => r.Item.LastActivityUtc).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                    new() { Value = latest.Select(r => r.Item.LastResponseCode).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = latest.Select(r => Storable(r.Item.LastResponse)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = latest.Select(r => r.Item.Attempts).ToArray() },
                    new() { Value = latest.Select(r => (short)r.Item.Status).ToArray() },
                    new() { Value = latest.Select(r => r.Item.Test).ToArray() },
                    new() { Value = latest.Select(r => r.Item.Expired).ToArray() },
                },
            });

            // Every attempt counts, also one whose row a later change in this batch replaced.
            var hours = rows.Where(r => r.Attempt is not null)
                .GroupBy(r => (r.AccountId, Hour: r.Attempt!.Value.HourUtc))
                .OrderBy(g => g.Key.AccountId, StringComparer.Ordinal).ThenBy(g => g.Key.Hour)
                .Select(g => (g.Key.AccountId, g.Key.Hour, Succeeded: g.Count(r => r.Attempt!.Value.Succeeded), Failed: g.Count(r => !r.Attempt!.Value.Succeeded)))
                .ToList();
            if (hours.Count > 0)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(CountAttempts)
                {
                    Parameters =
                    {
                        new() { Value = hours.Select(h => h.AccountId).ToArray() },
                        new() { Value = hours.Select(h => h.Hour).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                        new() { Value = hours.Select(h => h.Succeeded).ToArray() },
                        new() { Value = hours.Select(h => h.Failed).ToArray() },
                    },
                });
            }
        }
    }
}
