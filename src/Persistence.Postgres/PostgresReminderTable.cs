using Npgsql;
using NpgsqlTypes;

namespace CIOPulse.Persistence.Postgres;

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

    // "grainid = ANY" restricts the table to the batch's keys, so a scan of the key range fetches only
    // the batch's rows (see PostgresGrainStorage.WriteBatch).
    private const string ReadBatch =
        """
        SELECT r.grainid, r.remindername, r.starttime, r.period, r.version
          FROM unnest($2::varchar[], $3::varchar[]) AS k(grainid, remindername)
          JOIN orleansreminderstable r ON r.serviceid = $1 AND r.grainid = ANY($2::varchar[])
               AND r.grainid = k.grainid AND r.remindername = k.remindername
        """;

    private const string RemoveBatch =
        """
        DELETE FROM orleansreminderstable t
         USING unnest($2::varchar[], $3::varchar[], $4::integer[]) AS d(grainid, remindername, version)
         WHERE t.serviceid = $1 AND t.grainid = ANY($2::varchar[])
           AND t.grainid = d.grainid AND t.remindername = d.remindername AND t.version = d.version
        RETURNING t.grainid, t.remindername
        """;

    private const int RangeReadAttempts = 5;

    private static readonly TimeSpan RangeReadRetryDelay = TimeSpan.FromSeconds(1);

    private readonly PostgresGroupCommit _commits;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly Changes _changes;
    private readonly Reads _reads;

    public PostgresReminderTable(PostgresGroupCommit commits, string serviceId)
    {
        _commits = commits;
        _dataSource = commits.DataSource;
        _serviceId = serviceId;
        _changes = new Changes(serviceId);
        _reads = new Reads(serviceId);
    }

    public Task Init() => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync($"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND grainid = $2", grainId.ToString());

    /// <summary>
    /// A ring range, read when this silo takes it over (and every refresh period). Orleans waits a whole
    /// refresh period (5 minutes) after a failed read before it tries again, so the reminders of a dead
    /// silo would wait that long over a passing error: the read is retried here a few times first.
    /// </summary>
    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // Ring hashes are stored as signed integers; the range (begin, end] wraps when begin >= end.
        var sql = (int)begin < (int)end
            ? $"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND grainhash > $2 AND grainhash <= $3"
            : $"SELECT {Columns} FROM orleansreminderstable WHERE serviceid = $1 AND (grainhash > $2 OR grainhash <= $3)";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await QueryAsync(sql, (int)begin, (int)end);
            }
            catch (Exception e) when (attempt < RangeReadAttempts && e is NpgsqlException or TimeoutException)
            {
                await Task.Delay(RangeReadRetryDelay);
            }
        }
    }

    /// <summary>
    /// One reminder (a grain's <c>GetReminder</c>, before it unregisters one it did not register in
    /// this activation). Read through the group commit: after a takeover thousands of grains ask at
    /// once, and one query per batch keeps them from taking a pooled connection each.
    /// </summary>
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var read = new PendingRead(grainId.ToString(), reminderName);
        await _commits.SubmitAsync(_reads, read).ConfigureAwait(false);
        return read.Found;
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        var change = new PendingChange(entry.GrainId, entry.ReminderName, upsert: entry, expectedVersion: null);
        await _commits.SubmitAsync(_changes, change).ConfigureAwait(false);
        return change.ResultVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var change = new PendingChange(grainId, reminderName, upsert: null, expectedVersion: int.Parse(eTag, System.Globalization.CultureInfo.InvariantCulture));
        await _commits.SubmitAsync(_changes, change).ConfigureAwait(false);
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
            entries.Add(ToEntry(reader));
        }

        return new ReminderTableData(entries);
    }

    /// <summary>A row of <see cref="Columns"/> as an Orleans reminder entry.</summary>
    private static ReminderEntry ToEntry(NpgsqlDataReader row) => new()
    {
        GrainId = GrainId.Parse(row.GetString(0)),
        ReminderName = row.GetString(1),
        StartAt = DateTime.SpecifyKind(row.GetDateTime(2), DateTimeKind.Utc),
        Period = TimeSpan.FromMilliseconds(row.GetInt64(3)),
        ETag = row.GetInt32(4).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Turns a batch's single-reminder reads into one query of the shared group commit.</summary>
    private sealed class Reads(string serviceId) : IPostgresBatchPart<PendingRead>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<PendingRead> reads, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            var byKey = reads.GroupBy(r => (r.GrainId, r.ReminderName)).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var read in reads)
            {
                read.Found = null;
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(ReadBatch)
            {
                Parameters =
                {
                    new() { Value = serviceId },
                    new() { Value = byKey.Keys.Select(k => k.GrainId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = byKey.Keys.Select(k => k.ReminderName).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                },
            });
            rowReaders.Add(row =>
            {
                var entry = ToEntry(row);
                byKey[(row.GetString(0), entry.ReminderName)].ForEach(r => r.Found = entry);
            });
        }
    }

    private sealed class PendingRead(string grainId, string reminderName)
    {
        public string GrainId { get; } = grainId;

        public string ReminderName { get; } = reminderName;

        /// <summary>Set by the batch when the reminder exists.</summary>
        public ReminderEntry? Found { get; set; }
    }

    /// <summary>Turns a batch's reminder changes into statements of the shared group commit.</summary>
    private sealed class Changes(string serviceId) : IPostgresBatchPart<PendingChange>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<PendingChange> changes, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            // One change per reminder per statement (ON CONFLICT cannot touch a row twice); a reminder
            // changed twice in one batch has its second change applied after the first.
            foreach (var change in changes)
            {
                (change.ResultVersion, change.Removed) = (null, false);
            }

            foreach (var round in BatchRounds.ByKey(changes, c => (c.GrainId, c.ReminderName)))
            {
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
