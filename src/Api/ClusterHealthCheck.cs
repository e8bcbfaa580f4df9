using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CIOPulse.Api;

/// <summary>Ready when a grain call round-trips through the cluster (and so its storage is reachable).</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IAccountGrain>("health-probe").Get().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy("A grain call was answered.");
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster did not answer.", e);
        }
    }
}
