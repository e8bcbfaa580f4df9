namespace CIOPulse.Grains;

/// <summary>The <c>Secrets</c> configuration section: the key that encrypts stored webhook passwords.</summary>
public sealed class SecretsOptions
{
    public const string SectionName = "Secrets";

    /// <summary>
    /// Base64 of 32 random bytes (AES-256). Required in durable mode; the embedded mode makes an
    /// ephemeral one, which is fine because its state does not outlive the process either.
    /// </summary>
    public string? EncryptionKey { get; set; }
}
