
namespace CIOPulse.Persistence.Postgres;

/// <summary>Deletes Webhook Log row versions that no listing cursor can reach any more, every few minutes.</summary>
public sealed partial class WebhookLogPruner(PostgresWebhookLogStore store, ILogger<WebhookLogPruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var deleted = await store.PruneAsync(stoppingToken);
                LogPruned(deleted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPruneFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned {Count} closed Webhook Log row versions")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the Webhook Log failed; will try again")]
    private partial void LogPruneFailed(Exception exception);
}
