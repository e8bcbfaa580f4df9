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
public sealed class PostgresReminderTable : IReminderTable
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

    private readonly PostgresGroupCommit _commits;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly Changes _changes;

    public PostgresReminderTable(PostgresGroupCommit commits, string serviceId)
    {
        _commits = commits;
        _dataSource = commits.DataSource;
        _serviceId = serviceId;
        _changes = new Changes(serviceId);
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
        await _commits.SubmitAsync(_changes, change);
        return change.ResultVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var change = new PendingChange(grainId, reminderName, upsert: null, expectedVersion: int.Parse(eTag, System.Globalization.CultureInfo.InvariantCulture));
        await _commits.SubmitAsync(_changes, change);
        return change.Removed;
    }

    public async Task TestOnlyClearTable()
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM orleansreminderstable WHERE serviceid = $1");
        command.Parameters.Add(new() { Value = _serviceId });
        await command.ExecuteNonQueryAsync();
    }

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

    /// <summary>Turns a batch's reminder changes into statements of the shared group commit.</summary>
    private sealed class Changes(string serviceId) : IPostgresBatchPart<PendingChange>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<PendingChange> changes, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            // One change per reminder per statement (ON CONFLICT cannot touch a row twice); a reminder
            // changed twice in one batch has its second change applied after the first.
            var remaining = changes.ToList();
            remaining.ForEach(c => (c.ResultVersion, c.Removed) = (null, false));
            while (remaining.Count > 0)
            {
                var seen = new HashSet<(GrainId, string)>();
                var round = remaining.Where(c => seen.Add((c.GrainId, c.ReminderName))).ToList();
                remaining = remaining.Except(round).ToList();
                AddUpserts(batch, round.Where(c => c.Upsert is not null).ToList(), rowReaders);
                AddRemovals(batch, round.Where(c => c.Upsert is null).ToList(), rowReaders);
            }
        }

        private void AddUpserts(NpgsqlBatch batch, List<PendingChange> upserts, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            if (upserts.Count == 0)
            {
                return;
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(UpsertBatch)
            {
                Parameters =
                {
                    new() { Value = serviceId },
                    new() { Value = upserts.Select(c => c.GrainId.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = upserts.Select(c => c.ReminderName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = upserts.Select(c => DateTime.SpecifyKind(c.Upsert!.StartAt, DateTimeKind.Utc)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                    new() { Value = upserts.Select(c => (long)c.Upsert!.Period.TotalMilliseconds).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                    new() { Value = upserts.Select(c => (int)c.GrainId.GetUniformHashCode()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                },
            });
            var byKey = upserts.ToDictionary(c => (c.GrainId.ToString(), c.ReminderName));
            rowReaders.Add(row => byKey[(row.GetString(0), row.GetString(1))].ResultVersion = row.GetInt32(2));
        }

        private void AddRemovals(NpgsqlBatch batch, List<PendingChange> removals, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            if (removals.Count == 0)
            {
                return;
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(RemoveBatch)
            {
                Parameters =
                {
                    new() { Value = serviceId },
                    new() { Value = removals.Select(c => c.GrainId.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = removals.Select(c => c.ReminderName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = removals.Select(c => c.ExpectedVersion!.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                },
            });
            var byKey = removals.ToDictionary(c => (c.GrainId.ToString(), c.ReminderName));
            rowReaders.Add(row => byKey[(row.GetString(0), row.GetString(1))].Removed = true);
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
