using System.Diagnostics;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// The Hangfire job: one delivery attempt of one webhook. Success (HTTP 200) or the last failure
/// ends the webhook; any other failure throws so that Hangfire's retry filter runs the job again
/// after the configured delay (see <see cref="RetryFilter"/>).
/// </summary>
public sealed partial class WebhookDeliveryJob(
    WebhookStore store,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<WebhookDeliveryJob> logger)
{
    public async Task DeliverAsync(string webhookId, CancellationToken cancellationToken)
    {
        var webhook = await store.LoadAsync(webhookId, cancellationToken);
        if (webhook is not { Status: WebhookStatus.InProgress })
        {
            // Finished already (a job run again after a crash must not POST it again), or removed
            // because its job could not be enqueued.
            return;
        }

        var startedUtc = timeProvider.GetUtcNow().UtcDateTime;
        var started = Stopwatch.GetTimestamp();
        AttemptOutcome outcome;
        if (!webhook.Target.WebhooksActive)
        {
            outcome = AttemptOutcome.Failure(AttemptFailure.NotSent, "Webhooks are turned off for this account; no request was sent.");
        }
        else
        {
            var body = webhook.Target.ServiceNowWrapper ? WebhookPayloadBuilder.WrapForServiceNow(webhook.Payload) : webhook.Payload;
            outcome = await sender.SendAsync(webhook.AccountId, webhookId, webhook.Target, body, cancellationToken);
        }

        var duration = Stopwatch.GetElapsedTime(started);
        WebhookMetrics.Attempted(outcome, resend: false, duration);

        var maxAttempts = new RetrySchedule(options.Value.EffectiveRetryDelays).MaxAutomaticAttempts;
        var (number, status) = await store.RecordAttemptAsync(webhookId, outcome, maxAttempts, startedUtc, duration, CancellationToken.None);
        switch (status)
        {
            case WebhookStatus.Succeeded:
                WebhookMetrics.Finished(WebhookStatus.Succeeded);
                return;
            case WebhookStatus.Failed:
                WebhookMetrics.Finished(WebhookStatus.Failed);
                LogWebhookFailed(webhookId, number);
                break;
            default:
                LogAttemptFailed(webhookId, number, outcome.ResponseCode, outcome.Error);
                break;
        }

        // Thrown after the last attempt too: Hangfire then shows the job as failed, which is
        // where a Hangfire team looks for (and requeues) failed webhooks.
        throw new WebhookAttemptFailedException(
            $"Webhook {webhookId}: attempt {number} failed ({(outcome.ResponseCode is { } code ? $"HTTP {code}" : outcome.Error)}).");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId}: attempt {Attempt} failed with status {StatusCode}: {Error}")]
    private partial void LogAttemptFailed(string webhookId, int attempt, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} failed after {Attempts} attempts")]
    private partial void LogWebhookFailed(string webhookId, int attempts);
}
