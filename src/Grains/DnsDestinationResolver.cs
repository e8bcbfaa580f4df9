using System.Net;

namespace CIOPulse.Grains;

/// <summary>The system resolver (<see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>), the default <see cref="IDestinationResolver"/>.</summary>
public sealed class DnsDestinationResolver : IDestinationResolver
{
    public static readonly DnsDestinationResolver Instance = new();

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
