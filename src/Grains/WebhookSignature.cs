using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CIOPulse.Grains;

/// <summary>
/// Standard Webhooks signatures (https://www.standardwebhooks.com): a secret is <c>whsec_</c> +
/// base64 of 32 random bytes, its decoded bytes are the HMAC-SHA256 key, and the signed content is
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>; the <c>webhook-signature</c> header lists
/// <c>v1,</c> + base64 of the MAC for every secret that signs, separated by spaces.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    private const int SecretBytes = 32;

    /// <summary>
    /// What a signing secret is encrypted for (<see cref="SecretProtector"/>): not the account id
    /// alone, so that the account's encrypted password cannot stand in for a signing secret.
    /// </summary>
    public static string ProtectionPurpose(string accountId) => "webhook-signing-secret:" + accountId;

    /// <summary>A new secret: <c>whsec_</c> + base64 of 32 bytes from the system's CSPRNG.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The HMAC key of a <c>whsec_</c> secret; null when it is not one.</summary>
    public static byte[]? KeyOf(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The <c>webhook-timestamp</c> value: Unix seconds.</summary>
    public static string Timestamp(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>webhook-signature</c> value for <paramref name="body"/> (the exact bytes sent) under each key, in order.</summary>
    public static string Sign(IEnumerable<byte[]> keys, string webhookId, string timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content))));
    }
}
