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
}
