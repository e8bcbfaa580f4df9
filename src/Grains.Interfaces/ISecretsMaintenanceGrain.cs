namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// Operator maintenance of the stored secrets (one grain, key <see cref="Key"/>), run on a silo
/// because only silos hold the encryption keys and reach the storage.
/// </summary>
[Alias("ciopulse.ISecretsMaintenanceGrain")]
public interface ISecretsMaintenanceGrain : IGrainWithStringKey
{
    public const string Key = "secrets";

    /// <summary>
    /// Re-encrypts every stored webhook password and every portal key-ring key with the newest key
    /// (<c>Secrets:EncryptionKeys:0</c>), so that the older keys can then be removed.
    /// </summary>
    [Alias("ReEncryptAll")]
    Task<SecretsReEncryptionReport> ReEncryptAll();
}
