using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CIOPulse.Persistence.Postgres;

/// <summary>Whether the database answers a trivial query (within the readiness probe's time).</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("PostgreSQL answered.");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL did not answer.", e);
        }
    }
}

/// <summary>
/// How many writes wait for the silo's group commit: a few at any moment under load; thousands
/// mean the database keeps up no longer (Degraded), and the silo should take no more traffic for now.
/// </summary>
public sealed class GroupCommitBacklogHealthCheck(PostgresGroupCommit commits) : IHealthCheck
{
    public const int DegradedAbove = 10_000;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var backlog = commits.Backlog;
        var data = new Dictionary<string, object> { ["backlog"] = backlog };
        return Task.FromResult(backlog > DegradedAbove
            ? HealthCheckResult.Degraded($"{backlog} writes wait for the group commit (more than {DegradedAbove}).", data: data)
            : HealthCheckResult.Healthy($"{backlog} writes wait for the group commit.", data));
    }
}
