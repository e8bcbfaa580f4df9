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
}
