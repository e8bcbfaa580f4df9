using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CIOPulse.Api.Auth;

/// <summary>
/// Account API keys: <c>cpk_{accountId}_{43 characters of base64url randomness}</c>. The account id in
/// the key routes verification to the right account grain; only a SHA-256 hash is stored (the key
/// holds 256 random bits, so a slow password hash would add nothing).
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "cpk_";
    private const int SecretLength = 43;

    public static string Create(string accountId) =>
        Prefix + accountId + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The account a key claims to belong to, or null when it is not shaped like a key.</summary>
    public static string? AccountIdOf(string key)
    {
        var separator = key.Length - SecretLength - 1;
        return key.StartsWith(Prefix, StringComparison.Ordinal) && separator > Prefix.Length && key[separator] == '_'
            ? key[Prefix.Length..separator]
            : null;
    }
}
