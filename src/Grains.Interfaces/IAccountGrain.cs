using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>One account (key: account id): plan, webhook settings and account API keys.</summary>
[Alias("ciopulse.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    [Alias("Upsert")]
    Task<Account> Upsert(string name, AccountPlan plan);

    [ReadOnly, Alias("Get")]
    Task<Account?> Get();

    /// <summary>Remembers the hash of a newly issued account key. False when the account does not exist.</summary>
    [Alias("AddKey")]
    Task<bool> AddKey(string keyHash);

    [ReadOnly, Alias("HasKey")]
    Task<bool> HasKey(string keyHash);

    [ReadOnly, Alias("GetSettings")]
    Task<WebhookSettings?> GetSettings();

    [Alias("UpdateSettings")]
    Task<SettingsUpdateResult> UpdateSettings(WebhookSettingsUpdate update);

    [ReadOnly, Alias("GetDeliveryTarget")]
    Task<DeliveryTarget?> GetDeliveryTarget();

    /// <summary>
    /// A portal page is watching the account's log: for the next <paramref name="period"/>, delivery
    /// targets say so (<see cref="DeliveryTarget.LiveLog"/>) and deliveries publish their row changes.
    /// </summary>
    [OneWay, Alias("KeepLogLive")]
    Task KeepLogLive(TimeSpan period);

    /// <summary>Stores the webhook password encrypted with the newest key, if an older one made it.</summary>
    [Alias("ReEncryptPassword")]
    Task<SecretReEncryption> ReEncryptPassword();

    /// <summary>
    /// Makes the account's first webhook signing secret, or rotates it (the one it replaces keeps
    /// signing for <c>Webhooks:SigningSecretOverlap</c>). The answer is the only place the secret is shown.
    /// </summary>
    [Alias("CreateSigningSecret")]
    Task<SigningSecretIssue> CreateSigningSecret();

    /// <summary>Stores the signing secrets encrypted with the newest key, if an older one made them.</summary>
    [Alias("ReEncryptSigningSecrets")]
    Task<SecretReEncryption> ReEncryptSigningSecrets();
}
