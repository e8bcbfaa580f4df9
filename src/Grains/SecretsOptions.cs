namespace CIOPulse.Grains;

/// <summary>
/// The <c>Secrets</c> configuration section: the keys that encrypt stored webhook passwords and the
/// portal's key ring. Required in durable mode; the embedded mode makes an ephemeral key when none
/// is set, which is fine because its state does not outlive the process either.
/// </summary>
/// <remarks>
/// Rotation: put the new key first in <see cref="EncryptionKeys"/> and keep the old ones after it
/// (every silo the same), restart, run the re-encrypt pass (<c>POST /api/v1/admin/secrets/re-encrypt</c>),
/// then drop the old keys. The single <see cref="EncryptionKey"/> counts as the oldest key, after
/// the list, so a deployment that has one can rotate by adding <c>Secrets:EncryptionKeys:0</c>.
/// </remarks>
public sealed class SecretsOptions
{
    public const string SectionName = "Secrets";

    /// <summary>Base64 of 32 random bytes (AES-256): the one key of a deployment without rotation, or its oldest key.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>Base64 keys of 32 random bytes, newest first (<c>Secrets:EncryptionKeys:0</c> encrypts).</summary>
    public List<string> EncryptionKeys { get; set; } = [];

    /// <summary>Every configured key, newest first: <see cref="EncryptionKeys"/>, then <see cref="EncryptionKey"/>.</summary>
    public IReadOnlyList<string> KeysNewestFirst =>
        [.. EncryptionKeys, .. string.IsNullOrEmpty(EncryptionKey) ? Array.Empty<string>() : [EncryptionKey]];
}
