using System.Xml.Linq;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace CIOPulse.Api.Portal;

/// <summary>Decrypts what <see cref="ClusterXmlEncryptor"/> encrypted; Data Protection makes it by type name.</summary>
public sealed class ClusterXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var encrypted = encryptedElement.Element(ClusterXmlEncryptor.ValueElement)?.Value
            ?? throw new InvalidOperationException("A portal key-ring key has no encrypted value.");
        var xml = services.GetRequiredService<IGrainFactory>().GetGrain<IPortalKeyRingGrain>(ClusterXmlRepository.RingName)
            .Decrypt(encrypted).GetAwaiter().GetResult();
        return XElement.Parse(xml);
    }
}
