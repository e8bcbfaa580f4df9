namespace CIOPulse.Grains.Interfaces;

/// <summary>What re-encrypting one stored secret did.</summary>
[GenerateSerializer, Alias("ciopulse.SecretReEncryption")]
public enum SecretReEncryption
{
    /// <summary>Nothing is stored (an account without a password).</summary>
    NothingStored = 0,

    /// <summary>It was already encrypted with the newest key.</summary>
    AlreadyCurrent = 1,

    /// <summary>An older key (or the key-id-less v1 form) made it; it is now stored under the newest key.</summary>
    ReEncrypted = 2,

    /// <summary>No configured key decrypts it; it is left as it was (its owner must set it again).</summary>
    Undecryptable = 3,
}
