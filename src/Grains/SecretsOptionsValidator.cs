using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Every configured encryption key (<c>Secrets:EncryptionKeys:n</c>, <c>Secrets:EncryptionKey</c>)
/// must be base64 of exactly 32 bytes, and no key may be listed twice; each failure names its key.
/// The entries are read from the section itself so that a message names the index as configured.
/// </summary>
public sealed class SecretsOptionsValidator(IConfiguration secretsSection) : IValidateOptions<SecretsOptions>
{
    private const string Advice = "exactly 32 random bytes, e.g. `openssl rand -base64 32`";

    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        var entries = secretsSection.GetSection(nameof(SecretsOptions.EncryptionKeys)).GetChildren()
            .Select(entry => (entry.Path, entry.Value))
            .ToList();
        if (secretsSection[nameof(SecretsOptions.EncryptionKey)] is { Length: > 0 } single)
        {
            entries.Add((secretsSection.GetSection(nameof(SecretsOptions.EncryptionKey)).Path, single));
        }

        var failures = new List<string>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, value) in entries)
        {
            if (TryDecodeKey(value) is not { } key)
            {
                failures.Add($"{path} must be base64 of 32 bytes ({Advice}).");
            }
            else if (seen.TryGetValue(SecretProtector.KeyIdOf(key), out var first))
            {
                failures.Add($"{path} is the same key as {first}: list each key once.");
            }
            else
            {
                seen.Add(SecretProtector.KeyIdOf(key), path);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The 32 key bytes of a base64 key, or null when it is not base64 of exactly 32 bytes.</summary>
    public static byte[]? TryDecodeKey(string? base64Key)
    {
        if (string.IsNullOrEmpty(base64Key))
        {
            return null;
        }

        var bytes = new byte[64];
        return Convert.TryFromBase64String(base64Key, bytes, out var length) && length == 32 ? bytes[..32] : null;
    }
}
