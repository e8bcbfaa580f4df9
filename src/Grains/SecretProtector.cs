using System.Security.Cryptography;
using System.Text;

namespace CIOPulse.Grains;

/// <summary>
/// Encrypts webhook passwords (and the portal's key-ring keys) at rest with AES-256-GCM under a list
/// of keys, newest first: the newest encrypts, every listed key decrypts, so keys can be rotated.
/// The stored form is <c>v2:</c> + key id + <c>:</c> + base64(nonce ‖ tag ‖ ciphertext), where the key
/// id (<see cref="KeyIdOf"/>) names the key that made it, so decryption needs no search. Values
/// written before key ids existed (<c>v1:</c> + base64(…)) still decrypt, by trying every key. The
/// purpose (an account id, or the key ring's name) is bound in as associated data, so a ciphertext
/// copied to another account does not decrypt.
/// </summary>
public sealed class SecretProtector
{
    private const string V1Prefix = "v1:";
    private const string V2Prefix = "v2:";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeyIdLength = 12;

    /// <summary>Decrypted values kept at most (then the memo starts again empty).</summary>
    private const int MemoCapacity = 10_000;
    private readonly Key[] _keys;

    // Every attempt with Basic auth needs its account's password: the same few stored values are
    // decrypted over and over, each time with a new AES-GCM context (issue 15's profile). A stored
    // value names its nonce and key, so (value, purpose) always decrypts to the same plaintext and
    // can be remembered; a new password or a re-encryption is a new value. Only successes are kept.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Value, string Purpose), string> _decrypted = new();

    /// <param name="keys">32-byte keys, newest first; the first encrypts.</param>
    public SecretProtector(params IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one encryption key is needed.", nameof(keys));
        }

        _keys = new Key[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is not { Length: KeySize })
            {
                throw new ArgumentException($"Secrets:EncryptionKeys entry {i} must be base64 of 32 bytes.", nameof(keys));
            }

            var id = KeyIdOf(keys[i]);
            if (Array.FindIndex(_keys, 0, i, key => key.Id == id) is var same and >= 0)
            {
                throw new ArgumentException($"Secrets:EncryptionKeys entry {i} is the same key as entry {same}.", nameof(keys));
            }

            _keys[i] = new Key(id, keys[i].ToArray());
        }
    }

    /// <summary>The key id of the key that encrypts (the newest).</summary>
    public string CurrentKeyId => _keys[0].Id;

    /// <summary>A protector over base64 keys, newest first (see <see cref="SecretsOptions.KeysNewestFirst"/>).</summary>
    public static SecretProtector FromBase64(params IReadOnlyList<string> base64Keys)
    {
        ArgumentNullException.ThrowIfNull(base64Keys);
        var keys = new byte[base64Keys.Count][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SecretsOptionsValidator.TryDecodeKey(base64Keys[i])
                ?? throw new ArgumentException($"Secrets:EncryptionKeys entry {i} must be base64 of 32 bytes.", nameof(base64Keys));
        }

        return new SecretProtector(keys);
    }

    public static SecretProtector CreateEphemeral() => new(RandomNumberGenerator.GetBytes(KeySize));

    /// <summary>
    /// A short public name for a key: the first 12 hex digits of SHA-256 over a fixed label and the
    /// key. It tells keys apart in stored values and in answers; it reveals nothing of the key.
    /// </summary>
    public static string KeyIdOf(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var labelled = new byte[KeyIdLabel.Length + key.Length];
        KeyIdLabel.CopyTo(labelled);
        key.CopyTo(labelled, KeyIdLabel.Length);
        return Convert.ToHexStringLower(SHA256.HashData(labelled))[..KeyIdLength];
    }

    public string Protect(string plaintext, string purpose)
    {
        var key = _keys[0];
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(purpose));
        return V2Prefix + key.Id + ":" + Convert.ToBase64String(output);
    }

    /// <summary>The plaintext, or null when no listed key made the value for this purpose (or it was altered).</summary>
    public string? TryUnprotect(string protectedValue, string purpose)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentNullException.ThrowIfNull(purpose);
        if (_decrypted.TryGetValue((protectedValue, purpose), out var known))
        {
            return known;
        }

        if (Unprotect(protectedValue, purpose) is not { } plaintext)
        {
            return null;
        }

        if (_decrypted.Count >= MemoCapacity)
        {
            _decrypted.Clear();
        }

        _decrypted[(protectedValue, purpose)] = plaintext;
        return plaintext;
    }

    private string? Unprotect(string protectedValue, string purpose)
    {
        if (protectedValue.StartsWith(V2Prefix, StringComparison.Ordinal))
        {
            var rest = protectedValue.AsSpan(V2Prefix.Length);
            var separator = rest.IndexOf(':');
            if (separator != KeyIdLength)
            {
                return null;
            }

            var id = rest[..separator].ToString();
            var key = Array.Find(_keys, k => k.Id == id);
            return key is null ? null : Decrypt(key, rest[(separator + 1)..].ToString(), purpose);
        }

        if (protectedValue.StartsWith(V1Prefix, StringComparison.Ordinal))
        {
            var payload = protectedValue[V1Prefix.Length..];
            foreach (var key in _keys)
            {
                if (Decrypt(key, payload, purpose) is { } plaintext)
                {
                    return plaintext;
                }
            }
        }

        return null;
    }

    /// <summary>True when the value is already in the current form under the newest key (nothing to re-encrypt).</summary>
    public bool IsCurrent(string protectedValue) =>
        protectedValue.StartsWith(V2Prefix + CurrentKeyId + ":", StringComparison.Ordinal);

    /// <summary>
    /// The value encrypted again under the newest key: the same value when it already is, a new one
    /// when an older key (or the <c>v1:</c> form) made it, null when no listed key decrypts it.
    /// </summary>
    public string? TryReProtect(string protectedValue, string purpose)
    {
        if (IsCurrent(protectedValue))
        {
            return TryUnprotect(protectedValue, purpose) is null ? null : protectedValue;
        }

        return TryUnprotect(protectedValue, purpose) is { } plaintext ? Protect(plaintext, purpose) : null;
    }

    private static ReadOnlySpan<byte> KeyIdLabel => "ciopulse secrets key id\0"u8;

    private static string? Decrypt(Key key, string base64, string purpose)
    {
        try
        {
            var input = Convert.FromBase64String(base64);
            if (input.Length < NonceSize + TagSize)
            {
                return null;
            }

            var plain = new byte[input.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(purpose));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private sealed record Key(string Id, byte[] Bytes);
}
