namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The answer of a re-encrypt pass: the key everything is now encrypted with (its id), how many
/// stored accounts were visited and what became of their passwords, the ids of the accounts whose
/// password no configured key decrypts, the same for the portal's key-ring keys, and for the
/// accounts' webhook signing secrets.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.SecretsReEncryptionReport")]
public sealed record SecretsReEncryptionReport(
    [property: Id(0)] string KeyId,
    [property: Id(1)] int Accounts,
    [property: Id(2)] int ReEncrypted,
    [property: Id(3)] int AlreadyCurrent,
    [property: Id(4)] int WithoutPassword,
    [property: Id(5)] IReadOnlyList<string> Undecryptable,
    [property: Id(6)] KeyRingReEncryption PortalKeys,
    [property: Id(7)] SigningSecretsReEncryption? SigningSecrets = null);
