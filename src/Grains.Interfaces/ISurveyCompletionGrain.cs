namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// Entry point for survey completions: checks the account, derives the Webhook_ID and hands the
/// completion to its <see cref="IWebhookDeliveryGrain"/>. A stateless worker, so completions of one
/// account are not serialised through a single activation.
/// </summary>
[Alias("ciopulse.ISurveyCompletionGrain")]
public interface ISurveyCompletionGrain : IGrainWithIntegerKey
{
    [Alias("Submit")]
    Task<SubmitResult> Submit(string accountId, SurveyCompletion completion);

    /// <summary>The body <see cref="Submit"/> would POST for <paramref name="completion"/>, without triggering anything.</summary>
    [Alias("Preview")]
    Task<PayloadPreview> Preview(string accountId, SurveyCompletion completion);

    /// <summary>
    /// Sends <paramref name="completion"/> as a test webhook with a fresh Webhook_ID to the saved
    /// settings (also while webhooks are turned off) and answers once its one attempt is over. The
    /// attempt is bounded by <c>Webhooks:AttemptTimeout</c> (twice over when it waits for a slot to
    /// the destination), which may be longer than Orleans' default response timeout.
    /// </summary>
    [Alias("SendTest"), ResponseTimeout(TestWebhookTimeouts.Response)]
    Task<TestWebhookResult> SendTest(string accountId, SurveyCompletion completion);
}
