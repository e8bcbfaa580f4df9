using System.Security.Cryptography;
using System.Text;

namespace CIOPulse.Grains;

/// <summary>
/// Encrypts webhook passwords at rest with AES-256-GCM. The stored form is
/// <c>v1:</c> + base64(nonce ‖ tag ‖ ciphertext); the account id is bound in as associated data so a
/// ciphertext copied to another account does not decrypt.
/// </summary>
public sealed class SecretProtector
{
    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretProtector(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("Secrets:EncryptionKey must be base64 of exactly 32 bytes.", nameof(key));
        }

        _key = key;
    }

    public static SecretProtector FromBase64(string base64Key)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key);
        }
        catch (FormatException)
        {
            throw new ArgumentException("Secrets:EncryptionKey must be base64 of exactly 32 bytes.", nameof(base64Key));
        }

        return new SecretProtector(key);
    }

    public static SecretProtector CreateEphemeral() => new(RandomNumberGenerator.GetBytes(32));

    public string Protect(string plaintext, string accountId)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(accountId));
        return Prefix + Convert.ToBase64String(output);
    }

    /// <summary>The plaintext, or null when the value was not made by this key for this account.</summary>
    public string? TryUnprotect(string protectedValue, string accountId)
    {
        if (!protectedValue.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var input = Convert.FromBase64String(protectedValue[Prefix.Length..]);
            if (input.Length < NonceSize + TagSize)
            {
                return null;
            }

            var plain = new byte[input.Length - NonceSize - TagSize];
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(accountId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }
}
