using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace CIOPulse.Persistence.Memory;

/// <summary>
/// Grain storage in this process's memory, for the embedded single node: a dictionary of serialized
/// states with optimistic concurrency (ETags), reached without a grain call (Orleans' memory storage
/// routes every read and write through storage grains). Also shared by the silos of an in-process
/// test cluster, where it stands in for the database: killing a silo loses its activations, never the
/// stored state. Each silo gets a view that copies state through its own serializer.
/// </summary>
public sealed class InProcessGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), (string ETag, byte[] Data)> _rows = new();

    public int Count => _rows.Count;

    public IGrainStorage ViewFor(Serializer serializer) => new View(this, serializer);

    /// <summary>The grains that have a stored state named <paramref name="stateName"/>.</summary>
    public IReadOnlyList<GrainId> GrainIds(string stateName) =>
        [.. _rows.Keys.Where(key => key.Item1 == stateName).Select(key => key.Item2)];

    private sealed class View(InProcessGrainStorage shared, Serializer serializer) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (shared._rows.TryGetValue((stateName, grainId), out var row))
            {
                grainState.State = serializer.Deserialize<T>(row.Data);
                grainState.ETag = row.ETag;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var key = (stateName, grainId);
            var data = serializer.SerializeToArray(grainState.State);
            var etag = Guid.NewGuid().ToString("N");
            lock (shared._rows)
            {
                var exists = shared._rows.TryGetValue(key, out var current);
                if ((exists ? current.ETag : null) != grainState.ETag)
                {
                    throw new InconsistentStateException($"ETag mismatch for {grainId}", current.ETag, grainState.ETag);
                }

                shared._rows[key] = (etag, data);
            }

            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            shared._rows.TryRemove((stateName, grainId), out _);
            grainState.ETag = null;
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
    }
}
