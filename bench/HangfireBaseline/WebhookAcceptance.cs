using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Hangfire;
using Microsoft.Extensions.Options;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// Turns a survey completion into a webhook: the row (with the payload the product would send)
/// is committed first, then the delivery job is enqueued; the caller answers 202 only after both.
/// </summary>
/// <remarks>
/// Webhook_IDs are derived from (account, listening post, Response_ID) exactly as the product
/// does, so a repeated completion finds its webhook by the unique key and enqueues nothing. The
/// row and the job are two transactions (Hangfire enqueues on its own connections): a failed
/// enqueue removes the row again, but a process that dies between the two leaves a row without a
/// job, which the benchmark never provokes.
/// </remarks>
public sealed class WebhookAcceptance(
    WebhookStore store,
    IBackgroundJobClient jobs,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider)
{
    // As in the product: a second collision for one completion is astronomically unlikely; the
    // bound only turns a logic error into an exception instead of a loop.
    private const int MaxIdDerivations = 16;

    public async Task<SubmitResult> AcceptAsync(string accountId, SurveyCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var acceptedUtc = timeProvider.GetUtcNow().UtcDateTime;
        for (var salt = 0; salt < MaxIdDerivations; salt++)
        {
            var webhookId = WebhookIds.Derive(accountId, completion.ListeningPost, completion.ResponseId, salt);
            var payload = WebhookPayloadBuilder.Build(webhookId, completion, options.Value.ServiceRecoveryNotesBaseUrl);
            // Not cancelled with the request: once the row may be committed, its job must follow.
            if (await store.TryInsertAsync(webhookId, accountId, completion, payload, acceptedUtc, CancellationToken.None))
            {
                await EnqueueAsync(webhookId);
                WebhookMetrics.Accepted();
                return new SubmitResult(SubmitOutcome.Accepted, webhookId);
            }

            var (existing, active) = await store.ExplainAsync(accountId, completion.ListeningPost, completion.ResponseId, cancellationToken);
            if (existing is not null)
            {
                return new SubmitResult(SubmitOutcome.Duplicate, existing);
            }

            if (active is null)
            {
                return new SubmitResult(SubmitOutcome.AccountNotFound);
            }

            if (active == false)
            {
                return new SubmitResult(SubmitOutcome.WebhooksOff);
            }

            // The id belongs to another completion: derive the next one.
        }

        throw new InvalidOperationException($"No free Webhook_ID after {MaxIdDerivations} derivations.");
    }

    /// <summary>
    /// Enqueues the delivery job of a committed webhook row. When that fails the row is removed
    /// again, so that the survey app's retry of the same completion (after its 5xx) is not taken
    /// for a duplicate of a webhook that nothing would ever deliver.
    /// </summary>
    private async Task EnqueueAsync(string webhookId)
    {
        try
        {
            jobs.Enqueue<WebhookDeliveryJob>(job => job.DeliverAsync(webhookId, CancellationToken.None));
        }
        catch
        {
            await store.DeleteUndeliveredAsync(webhookId, CancellationToken.None);
            throw;
        }
    }
}
