using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// Holds the portal's Data Protection key ring for every node of the cluster, and encrypts and
/// decrypts its key material with the silos' secret key, bound to the ring's name.
/// </summary>
public sealed class PortalKeyRingGrain(
    [PersistentState("keyring", StorageNames.Accounts)] IPersistentState<PortalKeyRingState> ring,
    SecretProtector secrets) : Grain, IPortalKeyRingGrain
{
    // Not an account id ([a-z0-9-]), so a ciphertext of this ring never decrypts as an account's password.
    private string Purpose => "portal-key-ring:" + this.GetPrimaryKeyString();

    public Task<IReadOnlyList<string>> GetElements() => Task.FromResult<IReadOnlyList<string>>([.. ring.State.Elements]);

    public async Task StoreElement(string xml)
    {
        ring.State.Elements.Add(xml);
        await ring.WriteStateAsync();
    }

    public Task<string> Encrypt(string xml) => Task.FromResult(secrets.Protect(xml, Purpose));

    public Task<string> Decrypt(string encrypted) =>
        secrets.TryUnprotect(encrypted, Purpose) is { } xml
            ? Task.FromResult(xml)
            : throw new InvalidOperationException("A portal key-ring key cannot be decrypted with this cluster's Secrets:EncryptionKey.");
}
