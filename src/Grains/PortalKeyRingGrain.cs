using System.Xml.Linq;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// Holds the portal's Data Protection key ring for every node of the cluster, and encrypts and
/// decrypts its key material with the silos' secret keys (the newest encrypts), bound to the ring's name.
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
            : throw new InvalidOperationException("A portal key-ring key cannot be decrypted with any of this cluster's Secrets:EncryptionKeys.");

    public async Task<KeyRingReEncryption> ReEncrypt()
    {
        int reEncrypted = 0, current = 0, undecryptable = 0;
        var elements = ring.State.Elements;
        for (var i = 0; i < elements.Count; i++)
        {
            var element = XElement.Parse(elements[i]);
            var changed = false;
            foreach (var value in element.Descendants(IPortalKeyRingGrain.EncryptedKeyElement).Elements(IPortalKeyRingGrain.ValueElement))
            {
                switch (secrets.TryReProtect(value.Value, Purpose))
                {
                    case null:
                        undecryptable++;
                        break;
                    case var again when again == value.Value:
                        current++;
                        break;
                    case var again:
                        value.Value = again;
                        changed = true;
                        reEncrypted++;
                        break;
                }
            }

            if (changed)
            {
                elements[i] = element.ToString(SaveOptions.DisableFormatting);
            }
        }

        if (reEncrypted > 0)
        {
            await ring.WriteStateAsync();
        }

        return new KeyRingReEncryption(reEncrypted, current, undecryptable);
    }
}
