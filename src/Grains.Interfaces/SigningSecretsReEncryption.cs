namespace CIOPulse.Grains.Interfaces;

/// <summary>What a re-encrypt pass did to the accounts' webhook signing secrets, account by account.</summary>
/// <param name="ReEncrypted">Accounts whose signing secrets an older key had made, now under the newest.</param>
/// <param name="AlreadyCurrent">Accounts whose signing secrets were already under the newest key.</param>
/// <param name="Undecryptable">Accounts with a signing secret no configured key decrypts (their administrator must rotate it).</param>
[GenerateSerializer, Immutable, Alias("ciopulse.SigningSecretsReEncryption")]
public sealed record SigningSecretsReEncryption(
    [property: Id(0)] int ReEncrypted,
    [property: Id(1)] int AlreadyCurrent,
    [property: Id(2)] IReadOnlyList<string> Undecryptable);
