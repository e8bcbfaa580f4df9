using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using CIOPulse.Grains;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A resolver for a machine without outside DNS: names answer what the test mapped them to (and may
/// be remapped mid-test, as a rebinding attacker's DNS would), every other name is unknown
/// (<see cref="SocketError.HostNotFound"/>, as the system resolver says). Every question is recorded.
/// </summary>
public sealed class FakeDestinationResolver : IDestinationResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _queries = new();
    private readonly IPAddress[]? _anyName;

    /// <summary>A resolver that knows only the names given to <see cref="Map"/>, or answers <paramref name="anyName"/> for every name when given.</summary>
    public FakeDestinationResolver(params string[] anyName)
    {
        _anyName = anyName.Length == 0 ? null : Array.ConvertAll(anyName, IPAddress.Parse);
    }

    public IReadOnlyList<string> Queries => [.. _queries];

    /// <summary>From now on <paramref name="host"/> resolves to <paramref name="addresses"/>.</summary>
    public FakeDestinationResolver Map(string host, params string[] addresses)
    {
        _names[host.TrimEnd('.')] = Array.ConvertAll(addresses, IPAddress.Parse);
        return this;
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        _queries.Enqueue(host);
        if (_names.TryGetValue(host.TrimEnd('.'), out var addresses) || (addresses = _anyName) is not null)
        {
            return Task.FromResult(addresses);
        }

        return Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
    }
}
