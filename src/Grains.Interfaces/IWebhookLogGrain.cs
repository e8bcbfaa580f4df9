namespace CIOPulse.Grains.Interfaces;

/// <summary>Reads the Webhook Log from its index (never by activating delivery grains).</summary>
[Alias("ciopulse.IWebhookLogGrain")]
public interface IWebhookLogGrain : IGrainWithIntegerKey
{
    [Alias("Query")]
    Task<WebhookLogPage> Query(string accountId, WebhookLogQuery query);

    /// <summary>The account's attempts per hour from <paramref name="fromHourUtc"/> on, hours without attempts left out.</summary>
    [Alias("AttemptsPerHour")]
    Task<IReadOnlyList<HourlyAttempts>> AttemptsPerHour(string accountId, DateTime fromHourUtc);
}
