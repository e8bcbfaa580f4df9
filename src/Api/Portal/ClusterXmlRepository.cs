using System.Xml.Linq;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace CIOPulse.Api.Portal;

/// <summary>
/// Keeps the portal's Data Protection key ring in the cluster (<see cref="IPortalKeyRingGrain"/>), so
/// every silo and gateway signs cookies and form tokens with the same keys. Data Protection calls
/// this synchronously, and seldom: when it first needs the ring, when it makes a key, and about
/// once a day.
/// </summary>
public sealed class ClusterXmlRepository(IGrainFactory grains) : IXmlRepository
{
    public const string RingName = IPortalKeyRingGrain.PortalRing;

    private IPortalKeyRingGrain Ring => grains.GetGrain<IPortalKeyRingGrain>(RingName);

    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. Ring.GetElements().GetAwaiter().GetResult().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        Ring.StoreElement(element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
}
