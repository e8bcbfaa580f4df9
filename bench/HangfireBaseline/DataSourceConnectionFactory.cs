using Hangfire.PostgreSql;
using Npgsql;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// Gives Hangfire.PostgreSql its connections from the application's one pooled
/// <see cref="NpgsqlDataSource"/>, so the job storage and the baseline's own tables share a pool.
/// Hangfire opens and disposes the connections itself.
/// </summary>
public sealed class DataSourceConnectionFactory(NpgsqlDataSource dataSource) : IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => dataSource.CreateConnection();
}
