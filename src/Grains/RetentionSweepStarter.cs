using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CIOPulse.Grains;

/// <summary>
/// Makes sure the retention sweep's reminder exists once the silo is up (every silo does; registering
/// it again changes nothing). A failure must not stop the silo from delivering, so it is logged and
/// tried again in the background until it works or the silo stops.
/// </summary>
public sealed partial class RetentionSweepStarter(IGrainFactory grains, IHostApplicationLifetime lifetime, ILogger<RetentionSweepStarter> logger) : IStartupTask
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    public async Task Execute(CancellationToken cancellationToken)
    {
        if (!await TryStartAsync())
        {
            _ = RetryUntilStartedAsync(lifetime.ApplicationStopping);
        }
    }

    private async Task RetryUntilStartedAsync(CancellationToken stopping)
    {
        try
        {
            do
            {
                await Task.Delay(RetryDelay, stopping);
            }
            while (!await TryStartAsync());
        }
        catch (OperationCanceledException)
        {
            // The silo stops; the next start registers the reminder.
        }
    }

    private async Task<bool> TryStartAsync()
    {
        try
        {
            await grains.GetGrain<IRetentionSweepGrain>(IRetentionSweepGrain.Key).Start();
            return true;
        }
        catch (Exception e)
        {
            LogStartFailed(e);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The retention sweep's reminder could not be registered; trying again in 30 s")]
    private partial void LogStartFailed(Exception exception);
}
