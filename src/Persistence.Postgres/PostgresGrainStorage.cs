using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using Orleans.Storage;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// Grain storage on PostgreSQL (table <c>grain_state</c>, migration 0003) whose writes are group
/// committed: concurrent writes of many grains go to the database as one statement in one
/// transaction, each still checked against its own version (ETag). A write whose version no longer
/// matches fails alone with <see cref="InconsistentStateException"/>, as with any Orleans provider;
/// an insert (no ETag) fails that way when the row already exists. Used for the hot webhook state and
/// for accounts.
/// </summary>
public sealed class PostgresGrainStorage : IGrainStorage
{
    private const string ReadBatch = "SELECT grain_id, version, payload FROM grain_state WHERE service_id = $1 AND grain_id = ANY($2::varchar[])";

    // "grain_id = ANY" restricts the table to the batch's keys besides the join with the batch. With
    // the join alone the planner may read every row of the service and hash-join them with the batch,
    // and on the bench's fresh database it did: each batch then cost in proportion to the table. With
    // the restriction a scan of the key range fetches only the batch's rows (a small table may still
    // be read whole, which is cheap). The reminder table's batches do the same.
    private const string WriteBatch =
        """
        WITH input AS (
            SELECT * FROM unnest($2::varchar[], $3::integer[], $4::bytea[]) AS i(grain_id, expected, payload)),
        updated AS (
            UPDATE grain_state g SET version = g.version + 1, payload = i.payload, modified_on = now()
              FROM input i
             WHERE g.service_id = $1 AND g.grain_id = ANY($2::varchar[])
               AND g.grain_id = i.grain_id AND i.expected IS NOT NULL AND g.version = i.expected
            RETURNING g.grain_id, g.version),
        inserted AS (
            INSERT INTO grain_state (service_id, grain_id, version, payload)
            SELECT $1, i.grain_id, 1, i.payload FROM input i WHERE i.expected IS NULL
            ON CONFLICT DO NOTHING
            RETURNING grain_id, version)
        SELECT grain_id, version FROM updated
        UNION ALL
        SELECT grain_id, version FROM inserted
        """;

    private const string Delete = "DELETE FROM grain_state WHERE service_id = $1 AND grain_id = $2 AND version = $3";

    private readonly PostgresGroupCommit _commits;
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _serviceId;
    private readonly Serializer _serializer;
    private readonly Writes _writes;
    private readonly Reads _reads;

    public PostgresGrainStorage(PostgresGroupCommit commits, string serviceId, Serializer serializer)
    {
        _commits = commits;
        _dataSource = commits.DataSource;
        _serviceId = serviceId;
        _serializer = serializer;
        _writes = new Writes(serviceId);
        _reads = new Reads(serviceId);
    }

    /// <summary>
    /// Reads go through the group commit too: when many grains wake at once (a silo taking over
    /// another's reminders, say) their reads become a few set-based queries on one connection instead
    /// of one query and one pooled connection each.
    /// </summary>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var read = new PendingRead(Key(stateName, grainId));

        // Back on the caller's scheduler: deserializing on the shared writer would hold up the next
        // batch by a whole batch of reads (hundreds when a silo takes over another's reminders).
        await _commits.SubmitAsync(_reads, read);
        if (read.Found is var (version, payload))
        {
            grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
            grainState.State = _serializer.Deserialize<T>(payload);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        int? expected = grainState.ETag is { } etag ? int.Parse(etag, CultureInfo.InvariantCulture) : null;
        var write = new PendingWrite(Key(stateName, grainId), expected, _serializer.SerializeToArray(grainState.State));
        await _commits.SubmitAsync(_writes, write).ConfigureAwait(false);
        if (write.NewVersion is not { } version)
        {
            throw new InconsistentStateException(
                $"Version conflict writing {write.Key}: expected {grainState.ETag ?? "no row"}.", "unknown", grainState.ETag ?? "");
        }

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (grainState.ETag is null)
        {
            // Nothing read or written by this activation: clearing is only right if there is nothing.
            await using var exists = _dataSource.CreateCommand("SELECT 1 FROM grain_state WHERE service_id = $1 AND grain_id = $2");
            exists.Parameters.Add(new() { Value = _serviceId });
            exists.Parameters.Add(new() { Value = Key(stateName, grainId) });
            if (await exists.ExecuteScalarAsync() is not null)
            {
                throw new InconsistentStateException($"Version conflict clearing {Key(stateName, grainId)}: a stored state exists.", "unknown", "");
            }
        }
        else
        {
            var etag = grainState.ETag;
            await using var command = _dataSource.CreateCommand(Delete);
            command.Parameters.Add(new() { Value = _serviceId });
            command.Parameters.Add(new() { Value = Key(stateName, grainId) });
            command.Parameters.Add(new() { Value = int.Parse(etag, CultureInfo.InvariantCulture) });
            if (await command.ExecuteNonQueryAsync() == 0)
            {
                throw new InconsistentStateException($"Version conflict clearing {Key(stateName, grainId)}.", "unknown", etag);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Row key: the state name, length-prefixed so no (grain, state name) pair can spell another's.</summary>
    private static string Key(string stateName, GrainId grainId) => $"{stateName.Length}:{stateName}:{grainId}";

    /// <summary>What the keys of one state of one grain type start with; the grain's key follows.</summary>
    public static string KeyPrefix(string stateName, string grainType) => $"{stateName.Length}:{stateName}:{grainType}/";

    /// <summary>Turns a batch's state writes into statements of the shared group commit.</summary>
    private sealed class Writes(string serviceId) : IPostgresBatchPart<PendingWrite>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<PendingWrite> writes, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            // A grain awaits each write, so one batch holds at most one write per grain; should two
            // meet, the later one goes in a statement after the first.
            foreach (var write in writes)
            {
                write.NewVersion = null;
            }

            foreach (var round in BatchRounds.ByKey(writes, w => w.Key))
            {
                Add(batch, round, rowReaders);
            }
        }

        private void Add(NpgsqlBatch batch, List<PendingWrite> writes, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(WriteBatch)
            {
                Parameters =
                {
                    new() { Value = serviceId },
                    new() { Value = writes.Select(w => w.Key).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                    new() { Value = writes.Select(w => w.Expected).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                    new() { Value = writes.Select(w => w.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                },
            });
            var byKey = writes.ToDictionary(w => w.Key, StringComparer.Ordinal);
            rowReaders.Add(row => byKey[row.GetString(0)].NewVersion = row.GetInt32(1));
        }
    }

    /// <summary>Turns a batch's state reads into one query of the shared group commit.</summary>
    private sealed class Reads(string serviceId) : IPostgresBatchPart<PendingRead>
    {
        public void AddStatements(NpgsqlBatch batch, IReadOnlyList<PendingRead> reads, ICollection<Action<NpgsqlDataReader>> rowReaders)
        {
            var byKey = reads.GroupBy(r => r.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var read in reads)
            {
                read.Found = null;
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand(ReadBatch)
            {
                Parameters =
                {
                    new() { Value = serviceId },
                    new() { Value = byKey.Keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                },
            });
            rowReaders.Add(row =>
            {
                var found = (row.GetInt32(1), row.GetFieldValue<byte[]>(2));
                byKey[row.GetString(0)].ForEach(r => r.Found = found);
            });
        }
    }

    private sealed class PendingRead(string key)
    {
        public string Key { get; } = key;

        /// <summary>Set by the batch when the row exists.</summary>
        public (int Version, byte[] Payload)? Found { get; set; }
    }

    private sealed class PendingWrite(string key, int? expected, byte[] payload)
    {
        public string Key { get; } = key;

        public int? Expected { get; } = expected;

        public byte[] Payload { get; } = payload;

        /// <summary>Set by the batch when this write took effect; null means a version conflict.</summary>
        public int? NewVersion { get; set; }
    }
}
