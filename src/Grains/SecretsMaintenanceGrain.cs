using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// The re-encrypt pass: every account the storage holds (<see cref="IAccountCatalog"/>) re-encrypts
/// its own password and webhook signing secrets through its grain, so the write goes through the
/// grain's state like any other and cannot race a settings change; then the portal's key ring does
/// the same with its keys.
/// </summary>
public sealed class SecretsMaintenanceGrain(IAccountCatalog accounts, SecretProtector secrets, GrainReferences grains) : Grain, ISecretsMaintenanceGrain
{
    // Enough calls in flight to keep the silos busy without queueing thousands of them at once.
    private const int Parallelism = 16;

    public async Task<SecretsReEncryptionReport> ReEncryptAll()
    {
        var ids = await accounts.ListAccountIdsAsync(CancellationToken.None);
        var outcomes = new List<SecretReEncryption>(ids.Count);
        var signing = new List<SecretReEncryption>(ids.Count);
        foreach (var chunk in ids.Chunk(Parallelism))
        {
            outcomes.AddRange(await Task.WhenAll(chunk.Select(id => grains.Get<IAccountGrain>(id).ReEncryptPassword())));
            signing.AddRange(await Task.WhenAll(chunk.Select(id => grains.Get<IAccountGrain>(id).ReEncryptSigningSecrets())));
        }

        var portalKeys = await grains.Get<IPortalKeyRingGrain>(IPortalKeyRingGrain.PortalRing).ReEncrypt();
        return new SecretsReEncryptionReport(
            secrets.CurrentKeyId,
            ids.Count,
            ReEncrypted: outcomes.Count(o => o == SecretReEncryption.ReEncrypted),
            AlreadyCurrent: outcomes.Count(o => o == SecretReEncryption.AlreadyCurrent),
            WithoutPassword: outcomes.Count(o => o == SecretReEncryption.NothingStored),
            Undecryptable: [.. ids.Where((_, i) => outcomes[i] == SecretReEncryption.Undecryptable)],
            portalKeys,
            new SigningSecretsReEncryption(
                ReEncrypted: signing.Count(o => o == SecretReEncryption.ReEncrypted),
                AlreadyCurrent: signing.Count(o => o == SecretReEncryption.AlreadyCurrent),
                Undecryptable: [.. ids.Where((_, i) => signing[i] == SecretReEncryption.Undecryptable)]));
    }
}
