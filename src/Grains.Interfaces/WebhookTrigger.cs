namespace CIOPulse.Grains.Interfaces;

/// <summary>Everything a new delivery grain needs: who, which survey, and the body to POST.</summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookTrigger")]
public sealed record WebhookTrigger(
    [property: Id(0)] string AccountId,
    [property: Id(1)] ListeningPost ListeningPost,
    [property: Id(2)] string ResponseId,
    [property: Id(3)] string Payload,
    [property: Id(4)] DateTime AcceptedUtc);
