using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A receiver's check of a Standard Webhooks signature, written from the specification alone (it
/// shares no code with the product, and is the README's example): the key is the base64 after
/// <c>whsec_</c>, the MAC is HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c>, the
/// header holds space-separated <c>v1,{base64}</c>, any one of which may match; the timestamp must
/// be within five minutes of now.
/// </summary>
public static class StandardWebhooksVerifier
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>Whether the request's headers and body carry a valid signature under <paramref name="secret"/>.</summary>
    public static bool Verify(string secret, IReadOnlyDictionary<string, string> headers, string body, DateTimeOffset? now = null) =>
        headers.TryGetValue("webhook-id", out var id)
        && headers.TryGetValue("webhook-timestamp", out var timestamp)
        && headers.TryGetValue("webhook-signature", out var signature)
        && Verify(secret, id, timestamp, signature, body, now ?? DateTimeOffset.UtcNow);

    public static bool Verify(string secret, string id, string timestamp, string signatureHeader, string body, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(id + "." + timestamp + "." + body));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = candidate.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || candidate[..comma] != "v1")
            {
                continue;
            }

            byte[] given;
            try
            {
                given = Convert.FromBase64String(candidate[(comma + 1)..]);
            }
            catch (FormatException)
            {
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }

        return false;
    }
}
