namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// What a delivery attempt needs from the account, read fresh for every attempt.
/// The password is still encrypted here; only the sender decrypts it.
/// </summary>
/// <param name="SigningSecrets">
/// The encrypted <c>whsec_</c> secrets that sign this attempt, newest first (the previous one while
/// its overlap lasts); null or empty when signatures are off, and then no signature headers are sent.
/// </param>
/// <param name="LiveLog">A portal page is watching the account's log: publish row changes to its feed.</param>
[GenerateSerializer, Immutable, Alias("ciopulse.DeliveryTarget")]
public sealed record DeliveryTarget(
    [property: Id(0)] bool WebhooksActive,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Username,
    [property: Id(3)] string? EncryptedPassword,
    [property: Id(4)] bool ServiceNowWrapper,
    [property: Id(5)] bool LiveLog = false,
    [property: Id(6)] IReadOnlyList<string>? SigningSecrets = null);
