using System.Xml.Linq;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace CIOPulse.Api.Portal;

/// <summary>
/// Encrypts a Data Protection key before it is stored, with the cluster's secret key
/// (the newest of <c>Secrets:EncryptionKeys</c>), by asking a silo: a gateway never holds the keys.
/// </summary>
public sealed class ClusterXmlEncryptor(IGrainFactory grains) : IXmlEncryptor
{
    public const string ValueElement = IPortalKeyRingGrain.ValueElement;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var encrypted = grains.GetGrain<IPortalKeyRingGrain>(ClusterXmlRepository.RingName)
            .Encrypt(plaintextElement.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
        return new EncryptedXmlInfo(new XElement(IPortalKeyRingGrain.EncryptedKeyElement, new XElement(ValueElement, encrypted)), typeof(ClusterXmlDecryptor));
    }
}
