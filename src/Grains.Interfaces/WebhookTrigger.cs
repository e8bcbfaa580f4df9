namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// Everything a new delivery grain needs: who, which survey, and the body to POST; plus where to
/// POST it, as the account's settings stood at acceptance (milliseconds before the first attempt, so
/// that attempt need not ask the account grain again; later attempts do).
/// </summary>
/// <param name="Test">
/// A test webhook (the "Send test" of the settings): one automatic attempt only, sent even while
/// webhooks are turned off, and marked as a test in the log.
/// </param>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookTrigger")]
public sealed record WebhookTrigger(
    [property: Id(0)] string AccountId,
    [property: Id(1)] ListeningPost ListeningPost,
    [property: Id(2)] string ResponseId,
    [property: Id(3)] string Payload,
    [property: Id(4)] DateTime AcceptedUtc,
    [property: Id(5)] DeliveryTarget? Target = null,
    [property: Id(6)] bool Test = false);
