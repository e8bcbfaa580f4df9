using Npgsql;

namespace CIOPulse.Silo.Postgres;

public static class PostgresDataSource
{
    /// <summary>
    /// The data source a silo shares between its providers and the log index. Connections go back
    /// to the pool without <c>DISCARD ALL</c>: nothing here leaves session state behind, and the reset
    /// would otherwise cost a statement (and a transaction) for every command on the delivery path.
    /// </summary>
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }
}
