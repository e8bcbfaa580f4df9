using System.Net;
using System.Net.Sockets;

namespace CIOPulse.Grains;

/// <summary>
/// Decides whether a webhook URL may be called, so that an account's administrator cannot turn
/// the delivery service into a proxy onto the operator's own network (SSRF): loopback, private,
/// link-local and cloud-metadata addresses are refused unless
/// <c>Webhooks:AllowPrivateNetworks</c> is set for local development and tests.
/// </summary>
/// <remarks>
/// The rule is "only globally reachable unicast addresses" in the sense of the IANA
/// special-purpose address registries. That is why the documentation networks (192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20) are forbidden too: no real
/// receiver can live there, and networks that reuse them internally would otherwise be
/// reachable. The check is made twice: when settings are saved, to give the administrator a
/// clear 400, and again at connect time (<see cref="CreateConnectCallback"/>), because a
/// host name may resolve differently by the time an attempt runs (DNS rebinding).
/// </remarks>
public static class DestinationPolicy
{
    /// <summary>The longest webhook URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    private static readonly IPNetwork[] _forbiddenIPv4Networks =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network", unspecified
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local, includes the 169.254.169.254 metadata service
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // IETF protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation (TEST-NET-1)
        IPNetwork.Parse("192.88.99.0/24"),   // deprecated 6to4 relay anycast
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation (TEST-NET-2)
        IPNetwork.Parse("203.0.113.0/24"),   // documentation (TEST-NET-3)
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, includes broadcast 255.255.255.255
    ];

    private static readonly IPNetwork[] _forbiddenIPv6Networks =
    [
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64: translated by a private gateway
        IPNetwork.Parse("100::/64"),         // discard-only
        IPNetwork.Parse("2001:2::/48"),      // benchmarking
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("3fff::/20"),        // documentation
        IPNetwork.Parse("fc00::/7"),         // unique local, includes AWS metadata fd00:ec2::254
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // deprecated site-local
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    // IPv6 forms that carry an IPv4 address and reach it: judged by that address, so that
    // ::ffff:127.0.0.1 or 64:ff9b::a9fe:a9fe cannot smuggle a forbidden IPv4 destination.
    private static readonly IPNetwork _ipv4CompatibleNetwork = IPNetwork.Parse("::/96");
    private static readonly IPNetwork _nat64WellKnownNetwork = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork _sixToFourNetwork = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork _teredoNetwork = IPNetwork.Parse("2001::/32");

    /// <summary>
    /// Checks the form of a webhook URL without touching the network.
    /// </summary>
    /// <returns>Null when the URL is acceptable; otherwise a short reason for the administrator.</returns>
    public static string? ValidateUrlSyntax(string? url) => ValidateUrlSyntax(url, out _);

    /// <summary>As <see cref="ValidateUrlSyntax(string?)"/>, handing back the parsed URL when it is acceptable.</summary>
    public static string? ValidateUrlSyntax(string? url, out Uri? uri)
    {
        uri = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return "must not be empty";
        }

        if (url.Length > MaxUrlLength)
        {
            return $"must be at most {MaxUrlLength} characters long";
        }

        if (url.Trim().Length != url.Length)
        {
            return "must not start or end with white space";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            return "must be an absolute http or https URL";
        }

        if (string.IsNullOrEmpty(parsed.Host))
        {
            return "must name a host";
        }

        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            return "must not contain user information; set the username and password instead";
        }

        uri = parsed;
        return null;
    }

    /// <summary>
    /// True when a connection to <paramref name="address"/> could reach something other than
    /// the public internet: loopback, unspecified, private, carrier-grade NAT, link-local,
    /// unique-local, multicast, broadcast, reserved, benchmarking or documentation addresses,
    /// including IPv6 forms that embed such an IPv4 address.
    /// </summary>
    public static bool IsForbiddenAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsForbiddenIPv4(address),
            AddressFamily.InterNetworkV6 => IsForbiddenIPv6(address),
            _ => true,
        };
    }

    /// <summary>
    /// Checks where a webhook URL leads. Unless private networks are allowed, the host is
    /// resolved (an IP literal is taken as is) and every address it resolves to must be public.
    /// </summary>
    /// <param name="url">The absolute webhook URL.</param>
    /// <param name="allowPrivateNetworks">The <c>Webhooks:AllowPrivateNetworks</c> setting.</param>
    /// <param name="resolve">Resolves a host name to its addresses (normally <see cref="IDestinationResolver.ResolveAsync"/>).</param>
    /// <param name="ct">Cancels the resolution.</param>
    /// <returns>Null when the destination may be called; otherwise a short reason.</returns>
    public static async Task<string?> CheckDestinationAsync(
        Uri url,
        bool allowPrivateNetworks,
        Func<string, CancellationToken, Task<IPAddress[]>> resolve,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(resolve);

        if (!url.IsAbsoluteUri)
        {
            return "must be an absolute http or https URL";
        }

        if (allowPrivateNetworks)
        {
            return null;
        }

        var host = url.IdnHost;
        if (TryParseAddress(host, out var literal))
        {
            return IsForbiddenAddress(literal)
                ? $"is a private or loopback address ({literal}); such destinations are refused"
                : null;
        }

        if (IsLocalHostName(host))
        {
            return $"names a local or internal host ({host}); such destinations are refused";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await resolve(host, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Any resolver failure (unknown name, timeout, malformed name) means the same to
            // the administrator; only the caller's own cancellation propagates.
            return "host name could not be resolved";
        }

        if (addresses is null || addresses.Length == 0)
        {
            return "host name could not be resolved";
        }

        foreach (var address in addresses)
        {
            if (IsForbiddenAddress(address))
            {
                return $"resolves to a private or loopback address ({address}); such destinations are refused";
            }
        }

        return null;
    }

    /// <summary>
    /// Creates a <see cref="SocketsHttpHandler.ConnectCallback"/> that resolves the host itself
    /// and connects only to permitted addresses. The settings check alone is not enough: a name
    /// that resolved to a public address when it was saved may resolve to 127.0.0.1 or
    /// 169.254.169.254 when the attempt runs (DNS rebinding), so the address actually dialled is
    /// the one that is checked.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> CreateConnectCallback(
        bool allowPrivateNetworks, IDestinationResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        return (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivateNetworks, resolver, ct);
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, bool allowPrivateNetworks, IDestinationResolver resolver, CancellationToken ct)
    {
        var host = endPoint.Host;
        if (!allowPrivateNetworks && IsLocalHostName(host))
        {
            throw new DestinationRefusedException($"destination {host} is a local or internal host name, which is refused");
        }

        var resolved = TryParseAddress(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, ct);
        var usable = allowPrivateNetworks
            ? resolved
            : Array.FindAll(resolved, address => !IsForbiddenAddress(address));

        if (resolved.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"destination {host} could not be resolved");
        }

        if (usable.Length == 0)
        {
            throw new DestinationRefusedException($"destination {host} resolves only to private, loopback or link-local addresses, which are refused");
        }

        Exception? lastError = null;
        foreach (var address in usable)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                lastError = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException(
            HttpRequestError.ConnectionError,
            $"could not connect to destination {host}: {lastError?.Message}",
            lastError);
    }

    // A host that reads as an address is judged as that address, whatever the URI parser called
    // it: "127.0.0.1." (trailing dot) and "127。0。0。1" (ideographic full stops, which IdnHost maps
    // to dots) are host *names* to System.Uri, and a resolver would answer them with the loopback
    // address they spell, or a fake or split-horizon resolver with anything at all.
    private static bool TryParseAddress(string host, out IPAddress address)
    {
        var candidate = host.TrimEnd('.');
        if (candidate.Length > 0 && IPAddress.TryParse(candidate, out var parsed))
        {
            address = parsed;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    // "localhost" and its subdomains are loopback by definition (RFC 6761) and ".internal" is
    // reserved for private use (cloud metadata such as metadata.google.internal lives there):
    // refused by name, before any resolver is asked.
    private static bool IsLocalHostName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".internal", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsForbiddenIPv4(IPAddress address)
    {
        foreach (var network in _forbiddenIPv4Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsForbiddenIPv6(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsForbiddenIPv4(address.MapToIPv4());
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);

        // ::/96 also holds :: (unspecified, embeds 0.0.0.0) and ::1 (loopback, embeds 0.0.0.1),
        // both of which fall in the forbidden 0.0.0.0/8.
        if (_ipv4CompatibleNetwork.Contains(address) || _nat64WellKnownNetwork.Contains(address))
        {
            return IsForbiddenIPv4(new IPAddress(bytes[12..]));
        }

        if (_sixToFourNetwork.Contains(address))
        {
            return IsForbiddenIPv4(new IPAddress(bytes[2..6]));
        }

        if (_teredoNetwork.Contains(address))
        {
            // The Teredo client's IPv4 address is stored bit-inverted in the last 32 bits.
            Span<byte> client = stackalloc byte[4];
            for (var i = 0; i < client.Length; i++)
            {
                client[i] = (byte)~bytes[12 + i];
            }

            return IsForbiddenIPv4(new IPAddress(client));
        }

        foreach (var network in _forbiddenIPv6Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
