using Orleans.Concurrency;

namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The portal's ASP.NET Core Data Protection key ring, shared by every silo and gateway (key: the
/// ring's name), so that a sign-in cookie or a form token made by one node is valid on all. Keys
/// are stored encrypted with the cluster's <c>Secrets:EncryptionKey</c>, which never leaves the silos.
/// </summary>
[Alias("ciopulse.IPortalKeyRingGrain")]
public interface IPortalKeyRingGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("GetElements")]
    Task<IReadOnlyList<string>> GetElements();

    [Alias("StoreElement")]
    Task StoreElement(string xml);

    [ReadOnly, Alias("Encrypt")]
    Task<string> Encrypt(string xml);

    [ReadOnly, Alias("Decrypt")]
    Task<string> Decrypt(string encrypted);
}
