using CIOPulse.Grains;
using Npgsql;
using NpgsqlTypes;

namespace CIOPulse.Silo.Postgres;

/// <summary>
/// The Orleans reminder table on PostgreSQL (table <c>orleansreminderstable</c> of migration 0001)
/// with group-committed writes: every webhook registers a reminder when accepted and removes it when
/// finished, so under load many grains' upserts and removals share one statement and transaction.
/// Each row keeps its own version (ETag) check; reads are plain queries.
/// </summary>
public sealed class PostgresReminderTable : IReminderTable, IAsyncDisposable
{
    private const string Columns = "grainid, remindername, starttime, period, version";

    private const string UpsertBatch =
        """
        INSERT INTO orleansreminderstable AS r (serviceid, grainid, remindername, starttime, period, grainhash, version)
        SELECT $1, u.grainid, u.remindername, u.starttime, u.period, u.grainhash, 0
          FROM unnest($2::varchar[], $3::varchar[], $4::timestamptz[], $5::bigint[], $6::integer[])
               AS u(grainid, remindername, starttime, period, grainhash)
        ON CONFLICT (serviceid, grainid, remindername)
        DO UPDATE SET starttime = excluded.starttime, period = excluded.period, grainhash = excluded.grainhash, version = r.version + 1
        RETURNING r.grainid, r.remindername, r.version
        """;

    private const string RemoveBatch =
        """
        DELETE FROM orleansreminderstable t
         USING unnest($2::varchar[], $3::varchar[], $4::integer[]) AS d(grainid, remindername, version)
         WHERE t.serviceid = $1 AND t.grainid = d.grainid AND t.remindername = d.remindername AND t.version = d.version
        RETURNING t.grainid, t.remindername
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly GroupCommit<PendingChange> _changes;

    public PostgresReminderTable(NpgsqlDataSource dataSource, string serviceId)
    {
        _dataSource = dataSource;
        _serviceId = serviceId;
        _changes = new GroupCommit<PendingChange>(WriteBatchAsync);
    }

    public Task Init() => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync($"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND grainid = $2", grainId.ToString());

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        // Ring hashes are stored as signed integers; the range (begin, end] wraps when begin >= end.
        QueryAsync(
            (int)begin < (int)end
                ? $"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND grainhash > $2 AND grainhash <= $3"
                : $"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND (grainhash > $2 OR grainhash <= $3)",
            (int)begin,
            (int)end);

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await QueryAsync($"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND grainid = $2 AND remindername = $3", grainId.ToString(), reminderName))
        .Reminders.FirstOrDefault();

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var change = new PendingChange(entry.GrainId, entry.ReminderName, upsert: entry, expectedVersion: null);
        await _changes.SubmitAsync(change);
        return change.ResultVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var change = new PendingChange(grainId, reminderName, upsert: null, expectedVersion: int.Parse(eTag, System.Globalization.CultureInfo.InvariantCulture));
        await _changes.SubmitAsync(change);
        return change.Removed;
    }

    public async Task TestOnlyClearTable()
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM orleansreminderstable WHERE serviceid = $1");
        command.Parameters.Add(new() { Value = _serviceId });
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => _changes.DisposeAsync();

    private async Task<ReminderTableData> QueryAsync(string sql, params object[] parameters)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = _serviceId });
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }

        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt32(4).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        return new ReminderTableData(entries);
    }

    private async Task WriteBatchAsync(IReadOnlyList<PendingChange> changes, CancellationToken cancellationToken)
    {
        // One change per reminder per statement (ON CONFLICT cannot touch a row twice); a reminder
        // changed twice in one batch has its second change applied after the first.
        var remaining = changes.ToList();
        while (remaining.Count > 0)
        {
            var seen = new HashSet<(GrainId, string)>();
            var round = remaining.Where(c => seen.Add((c.GrainId, c.ReminderName))).ToList();
            remaining = remaining.Except(round).ToList();
            await UpsertAsync(round.Where(c => c.Upsert is not null).ToList(), cancellationToken);
            await RemoveAsync(round.Where(c => c.Upsert is null).ToList(), cancellationToken);
        }
    }

    private async Task UpsertAsync(List<PendingChange> upserts, CancellationToken cancellationToken)
    {
        if (upserts.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(UpsertBatch);
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = upserts.Select(c => c.GrainId.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = upserts.Select(c => c.ReminderName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = upserts.Select(c => DateTime.SpecifyKind(c.Upsert!.StartAt, DateTimeKind.Utc)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = upserts.Select(c => (long)c.Upsert!.Period.TotalMilliseconds).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = upserts.Select(c => (int)c.GrainId.GetUniformHashCode()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        var byKey = upserts.ToDictionary(c => (c.GrainId.ToString(), c.ReminderName));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            byKey[(reader.GetString(0), reader.GetString(1))].ResultVersion = reader.GetInt32(2);
        }
    }

    private async Task RemoveAsync(List<PendingChange> removals, CancellationToken cancellationToken)
    {
        if (removals.Count == 0)
        {
            return;
        }

        await using var command = _dataSource.CreateCommand(RemoveBatch);
        command.Parameters.Add(new() { Value = _serviceId });
        command.Parameters.Add(new() { Value = removals.Select(c => c.GrainId.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = removals.Select(c => c.ReminderName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        command.Parameters.Add(new() { Value = removals.Select(c => c.ExpectedVersion!.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        var byKey = removals.ToDictionary(c => (c.GrainId.ToString(), c.ReminderName));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            byKey[(reader.GetString(0), reader.GetString(1))].Removed = true;
        }
    }

    // A class, not a record: two identical changes (the same entry upserted twice) are two changes.
    private sealed class PendingChange(GrainId grainId, string reminderName, ReminderEntry? upsert, int? expectedVersion)
    {
        public GrainId GrainId { get; } = grainId;

        public string ReminderName { get; } = reminderName;

        public ReminderEntry? Upsert { get; } = upsert;

        public int? ExpectedVersion { get; } = expectedVersion;

        public int? ResultVersion { get; set; }

        public bool Removed { get; set; }
    }
}
