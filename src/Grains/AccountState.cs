using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

[GenerateSerializer, Alias("ciopulse.AccountState")]
public sealed class AccountState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public AccountPlan Plan { get; set; }
    [Id(2)] public bool WebhooksEnabled { get; set; }
    [Id(3)] public string? Url { get; set; }
    [Id(4)] public string? Username { get; set; }

    /// <summary>AES-GCM ciphertext from <see cref="SecretProtector"/>; never the password itself.</summary>
    [Id(5)] public string? EncryptedPassword { get; set; }
    [Id(6)] public bool ServiceNowWrapper { get; set; }

    /// <summary>SHA-256 hashes of the account's API keys.</summary>
    [Id(7)] public List<string> KeyHashes { get; set; } = [];

    /// <summary>Whether webhooks carry Standard Webhooks signatures (needs a signing secret).</summary>
    [Id(8)] public bool SignaturesEnabled { get; set; }

    /// <summary>The newest <c>whsec_</c> signing secret, encrypted by <see cref="SecretProtector"/>.</summary>
    [Id(9)] public string? EncryptedSigningSecret { get; set; }

    [Id(10)] public DateTime? SigningSecretCreatedUtc { get; set; }

    /// <summary>The secret before the last rotation, encrypted; it signs too until <see cref="PreviousSecretSignsUntilUtc"/>.</summary>
    [Id(11)] public string? EncryptedPreviousSigningSecret { get; set; }

    [Id(12)] public DateTime? PreviousSecretSignsUntilUtc { get; set; }
}
