namespace CIOPulse.Grains.Interfaces;

/// <summary>Reads the Webhook Log from its index (never by activating delivery grains).</summary>
[Alias("ciopulse.IWebhookLogGrain")]
public interface IWebhookLogGrain : IGrainWithIntegerKey
{
    [Alias("Query")]
    Task<WebhookLogPage> Query(string accountId, WebhookLogQuery query);
}
