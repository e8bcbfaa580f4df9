using System.Security.Cryptography;
using System.Text;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// Webhook_IDs: 13 lowercase hex characters derived from (account, listening post, response id).
/// Deriving rather than drawing the id makes the delivery grain itself the idempotency record: a
/// repeated completion lands on the grain that already holds it, with no lookup table and no extra
/// write. The rare collision with another trigger is detected by that grain and resolved by
/// deriving again with the next salt. A test webhook ("Send test") is no survey's: its id is drawn
/// (<see cref="Draw"/>), so every test is a new webhook.
/// </summary>
public static class WebhookIds
{
    public const int Length = 13;

    public static string Derive(string accountId, ListeningPost listeningPost, string responseId, int salt)
    {
        var input = Encoding.UTF8.GetBytes($"{accountId}\n{listeningPost}\n{responseId}\n{salt}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return Convert.ToHexStringLower(hash[..7])[..Length];
    }

    /// <summary>A fresh random id of the same shape (52 random bits).</summary>
    public static string Draw()
    {
        Span<byte> random = stackalloc byte[7];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random)[..Length];
    }
}
