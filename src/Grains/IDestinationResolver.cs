using System.Net;

namespace CIOPulse.Grains;

/// <summary>
/// Resolves a webhook destination's host name to the addresses that would be dialled. Both the
/// settings check and the connect-time check ask this one service, so a test (or an operator with
/// its own resolver) can replace it and the two checks still see the same answers.
/// </summary>
public interface IDestinationResolver
{
    /// <summary>The addresses of <paramref name="host"/>; throws (typically a <see cref="System.Net.Sockets.SocketException"/>) when it has none.</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
