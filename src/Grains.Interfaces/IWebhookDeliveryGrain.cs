using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// One webhook (key: its Webhook_ID). Owns the payload, the status and every attempt, and keeps an
/// Orleans reminder registered while attempts remain so that a retry survives any silo's death.
/// </summary>
[Alias("ciopulse.IWebhookDeliveryGrain")]
public interface IWebhookDeliveryGrain : IGrainWithStringKey
{
    /// <summary>Persists the webhook and registers its reminder, then starts the first attempt.</summary>
    [Alias("Accept")]
    Task<AcceptOutcome> Accept(WebhookTrigger trigger);

    /// <summary>
    /// Persists a test webhook (<see cref="WebhookTrigger.Test"/>) like <see cref="Accept"/>, makes its
    /// first attempt within this call and returns that attempt as recorded; null when the id is taken.
    /// </summary>
    [Alias("AcceptTest"), ResponseTimeout(TestWebhookTimeouts.Response)]
    Task<AttemptRecord?> AcceptTest(WebhookTrigger trigger);

    /// <summary>The entry, or null when it does not exist or belongs to another account.</summary>
    [AlwaysInterleave, Alias("GetDetail")]
    Task<WebhookDetail?> GetDetail(string accountId);

    /// <summary>Makes one more attempt now, whatever the status. False when not found for the account.</summary>
    [Alias("Resend")]
    Task<bool> Resend(string accountId);
}
