using Npgsql;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// Turns the pending writes of one kind (webhook state, reminders, log rows) into statements of a
/// shared <see cref="NpgsqlBatch"/>, and reads back what those statements return.
/// </summary>
public interface IPostgresBatchPart<T>
{
    /// <summary>
    /// Adds the statements that store <paramref name="writes"/> to <paramref name="batch"/>. For every
    /// added statement that returns rows (in the order added), adds to <paramref name="rowReaders"/>
    /// the action that takes one of its rows.
    /// </summary>
    void AddStatements(NpgsqlBatch batch, IReadOnlyList<T> writes, ICollection<Action<NpgsqlDataReader>> rowReaders);
}
