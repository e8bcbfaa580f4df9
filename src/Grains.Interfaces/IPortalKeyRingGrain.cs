using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The portal's ASP.NET Core Data Protection key ring, shared by every silo and gateway (key: the
/// ring's name), so that a sign-in cookie or a form token made by one node is valid on all. Keys
/// are stored encrypted with the cluster's newest <c>Secrets:EncryptionKeys</c> key, which never leaves the silos.
/// </summary>
[Alias("ciopulse.IPortalKeyRingGrain")]
public interface IPortalKeyRingGrain : IGrainWithStringKey
{
    /// <summary>The portal's one key ring (the grain's key).</summary>
    public const string PortalRing = "portal";

    /// <summary>The element of a stored key that holds its encrypted material, in a child <see cref="ValueElement"/>.</summary>
    public const string EncryptedKeyElement = "encryptedKey";

    /// <summary>The child of <see cref="EncryptedKeyElement"/> whose text is what <see cref="Encrypt"/> returned.</summary>
    public const string ValueElement = "value";

    [ReadOnly, Alias("GetElements")]
    Task<IReadOnlyList<string>> GetElements();

    [Alias("StoreElement")]
    Task StoreElement(string xml);

    [ReadOnly, Alias("Encrypt")]
    Task<string> Encrypt(string xml);

    [ReadOnly, Alias("Decrypt")]
    Task<string> Decrypt(string encrypted);

    /// <summary>Stores every key of the ring encrypted with the newest key, where an older one made it.</summary>
    [Alias("ReEncrypt")]
    Task<KeyRingReEncryption> ReEncrypt();
}
