using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CIOPulse.Grains;

/// <summary>
/// Accepts completions: derives the Webhook_ID and hands the trigger to its delivery grain. Stateless,
/// so it runs as local workers, and reentrant: a worker waits for the delivery grain's commit (a few
/// milliseconds on PostgreSQL) while it takes the next completion, instead of holding one request
/// at a time per core, which capped a silo at a few hundred completions per second.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class SurveyCompletionGrain(GrainReferences grains, IOptions<WebhookOptions> options, TimeProvider timeProvider) : Grain, ISurveyCompletionGrain
{
    // With 52-bit ids a second collision for one trigger is astronomically unlikely; the bound only
    // turns a logic error into an exception instead of a loop.
    private const int MaxIdDerivations = 16;

    public async Task<SubmitResult> Submit(string accountId, SurveyCompletion completion)
    {
        var target = await grains.Get<IAccountGrain>(accountId).GetDeliveryTarget();
        if (target is null)
        {
            return new SubmitResult(SubmitOutcome.AccountNotFound);
        }

        if (!target.WebhooksActive)
        {
            // A completion triggered while webhooks were on keeps its id, even now that they are off.
            var firstId = WebhookIds.Derive(accountId, completion.ListeningPost, completion.ResponseId, 0);
            var existing = await grains.Get<IWebhookDeliveryGrain>(firstId).GetDetail(accountId);
            return existing is not null && existing.Item.ResponseId == completion.ResponseId && existing.Item.ListeningPost == completion.ListeningPost
                ? new SubmitResult(SubmitOutcome.Duplicate, firstId)
                : new SubmitResult(SubmitOutcome.WebhooksOff, Reason: "Webhooks are turned off for this account.");
        }

        var acceptedUtc = timeProvider.GetUtcNow().UtcDateTime;
        for (var salt = 0; salt < MaxIdDerivations; salt++)
        {
            var webhookId = WebhookIds.Derive(accountId, completion.ListeningPost, completion.ResponseId, salt);
            var payload = WebhookPayloadBuilder.Build(webhookId, completion, options.Value.ServiceRecoveryNotesBaseUrl);
            var trigger = new WebhookTrigger(accountId, completion.ListeningPost, completion.ResponseId, payload, acceptedUtc, target);
            switch (await grains.Get<IWebhookDeliveryGrain>(webhookId).Accept(trigger))
            {
                case AcceptOutcome.Accepted:
                    return new SubmitResult(SubmitOutcome.Accepted, webhookId);
                case AcceptOutcome.AlreadyAccepted:
                    return new SubmitResult(SubmitOutcome.Duplicate, webhookId);
                case AcceptOutcome.IdTaken:
                    continue;
            }
        }

        throw new InvalidOperationException($"No free Webhook_ID after {MaxIdDerivations} derivations.");
    }

    public async Task<TestWebhookResult> SendTest(string accountId, SurveyCompletion completion)
    {
        var accountGrain = grains.Get<IAccountGrain>(accountId);
        if (await accountGrain.Get() is not { } account)
        {
            return new TestWebhookResult(TestWebhookOutcome.AccountNotFound);
        }

        if (!AccountGrain.AllowsWebhooks(account.Plan))
        {
            return new TestWebhookResult(TestWebhookOutcome.PlanDoesNotAllowWebhooks,
                Reason: $"Webhooks are available on the Corporate and Enterprise plans; this account is on the {account.Plan} plan.");
        }

        // Webhooks turned off do not stop a test: it is how an administrator tries the settings first.
        if (await accountGrain.GetDeliveryTarget() is not { Url: not null } target)
        {
            return new TestWebhookResult(TestWebhookOutcome.NoUrl,
                Reason: "No webhook URL is saved for this account: save the settings with a URL, then send a test.");
        }

        var acceptedUtc = timeProvider.GetUtcNow().UtcDateTime;
        for (var draw = 0; draw < MaxIdDerivations; draw++)
        {
            var webhookId = WebhookIds.Draw();
            var payload = WebhookPayloadBuilder.Build(webhookId, completion, options.Value.ServiceRecoveryNotesBaseUrl);
            var trigger = new WebhookTrigger(accountId, completion.ListeningPost, completion.ResponseId, payload, acceptedUtc, target, Test: true);
            if (await grains.Get<IWebhookDeliveryGrain>(webhookId).AcceptTest(trigger) is { } attempt)
            {
                return new TestWebhookResult(TestWebhookOutcome.Sent, webhookId, attempt);
            }
        }

        throw new InvalidOperationException($"No free Webhook_ID after {MaxIdDerivations} draws.");
    }

    public Task<PayloadPreview> Preview(string accountId, SurveyCompletion completion)
    {
        var webhookId = WebhookIds.Derive(accountId, completion.ListeningPost, completion.ResponseId, 0);
        var payload = WebhookPayloadBuilder.Build(webhookId, completion, options.Value.ServiceRecoveryNotesBaseUrl);
        return Task.FromResult(new PayloadPreview(webhookId, payload, WebhookPayloadBuilder.WrapForServiceNow(payload)));
    }
}
