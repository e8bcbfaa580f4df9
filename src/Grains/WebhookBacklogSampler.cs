using CIOPulse.Grains.Log;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Counts the webhooks InProgress (and those waiting for a retry) every
/// <c>Webhooks:BacklogSampleInterval</c> for the gauges of <see cref="WebhookMetrics"/>. The count is
/// one query over the log's current rows, so it runs on a timer, never per scrape.
/// </summary>
public sealed partial class WebhookBacklogSampler(IWebhookLogStore store, IOptions<WebhookOptions> options, TimeProvider timeProvider, ILogger<WebhookBacklogSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.BacklogSampleInterval, timeProvider);
        do
        {
            try
            {
                WebhookMetrics.Sampled(await store.CountInProgressAsync(stoppingToken));
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSampleFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The webhooks InProgress could not be counted for the gauges; the next sample tries again")]
    private partial void LogSampleFailed(Exception exception);
}
