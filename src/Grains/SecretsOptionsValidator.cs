using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>A set <c>Secrets:EncryptionKey</c> must be base64 of exactly 32 bytes (AES-256).</summary>
public sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        if (string.IsNullOrEmpty(options.EncryptionKey))
        {
            return ValidateOptionsResult.Success;
        }

        var bytes = new byte[64];
        return Convert.TryFromBase64String(options.EncryptionKey, bytes, out var length) && length == 32
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Secrets:EncryptionKey must be base64 of exactly 32 random bytes (`openssl rand -base64 32`).");
    }
}
