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

    /// <summary>Makes one more attempt now, whatever the status, unless the payload has expired.</summary>
    [Alias("Resend")]
    Task<ResendOutcome> Resend(string accountId);

    /// <summary>
    /// The retention: when the webhook is finished (nothing pending) and its last activity is before
    /// <paramref name="cutoffUtc"/>, removes its payload and response bodies and marks its log row expired.
    /// </summary>
    [Alias("Expire")]
    Task<ExpireOutcome> Expire(DateTime cutoffUtc);

    /// <summary>
    /// One more attempt for the bulk resend operation <paramref name="operationId"/>, at most once per
    /// operation: a repeated call (after a crash) makes no second attempt and answers how the
    /// operation's attempt ended. Waits for the attempt, which may take the attempt timeout and a wait
    /// for a slot to the destination as long again, hence the long response timeout.
    /// </summary>
    [ResponseTimeout("00:30:00"), Alias("ResendForOperation")]
    Task<BulkResendAttemptOutcome> ResendForOperation(string accountId, string operationId);
}
