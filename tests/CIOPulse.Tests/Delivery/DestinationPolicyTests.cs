using System.Net;
using System.Net.Sockets;
using System.Text;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Delivery;

public sealed class DestinationPolicyTests
{
    private static readonly TimeSpan _testTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("https://example.com/hook")]
    [InlineData("http://example.com")]
    [InlineData("HTTPS://Example.COM:8443/a/b?c=d")]
    [InlineData("https://example.com/hook#section")]
    [InlineData("http://203.0.113.7:8080/hook")]
    [InlineData("https://[2606:4700::1111]/hook")]
    [InlineData("https://xn--mori-qsa.example/hook")]
    public void Absolute_http_and_https_urls_are_accepted(string url) =>
        Assert.Null(DestinationPolicy.ValidateUrlSyntax(url));

    [Theory]
    [InlineData(null, "must not be empty")]
    [InlineData("", "must not be empty")]
    [InlineData("   ", "must not be empty")]
    [InlineData("/relative/path", "must be an absolute http or https URL")]
    [InlineData("example.com/hook", "must be an absolute http or https URL")]
    [InlineData("ftp://example.com/file", "must be an absolute http or https URL")]
    [InlineData("file:///etc/passwd", "must be an absolute http or https URL")]
    [InlineData("javascript:alert(1)", "must be an absolute http or https URL")]
    [InlineData("mailto:ops@example.com", "must be an absolute http or https URL")]
    [InlineData("https://user:pw@example.com/", "must not contain user information")]
    [InlineData("https://user@example.com/", "must not contain user information")]
    [InlineData(" https://example.com/hook", "must not start or end with white space")]
    [InlineData("https://example.com/hook\n", "must not start or end with white space")]
    public void Invalid_urls_are_refused_with_a_reason(string? url, string expectedReason)
    {
        var reason = DestinationPolicy.ValidateUrlSyntax(url);

        Assert.NotNull(reason);
        Assert.Contains(expectedReason, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_longer_than_2048_characters_are_refused()
    {
        const string prefix = "https://example.com/";
        var longest = prefix + new string('a', DestinationPolicy.MaxUrlLength - prefix.Length);
        var tooLong = longest + "a";

        Assert.Null(DestinationPolicy.ValidateUrlSyntax(longest));
        Assert.Contains("2048", DestinationPolicy.ValidateUrlSyntax(tooLong), StringComparison.Ordinal);
    }

    [Theory]
    // Public destinations.
    [InlineData("8.8.8.8", false)]
    [InlineData("1.1.1.1", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("192.169.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("2a00:1450:4001:800::200e", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("64:ff9b::808:808", false)]
    [InlineData("2002:808:808::1", false)]
    // Loopback and unspecified.
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.255.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("0.1.2.3", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    // Private and carrier-grade NAT.
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.127.255.255", true)]
    // Link-local, including the cloud metadata services.
    [InlineData("169.254.169.254", true)]
    [InlineData("169.254.0.1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fe80::1%2", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("fc00::1", true)]
    // Multicast, broadcast, reserved, special purpose, benchmarking, documentation.
    [InlineData("224.0.0.1", true)]
    [InlineData("239.255.255.250", true)]
    [InlineData("ff02::1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("192.0.0.170", true)]
    [InlineData("198.18.0.1", true)]
    [InlineData("198.19.255.255", true)]
    [InlineData("192.0.2.1", true)]
    [InlineData("198.51.100.1", true)]
    [InlineData("203.0.113.1", true)]
    [InlineData("2001:db8::1", true)]
    // IPv6 forms that embed a forbidden IPv4 address.
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("64:ff9b::a9fe:a9fe", true)]
    [InlineData("64:ff9b:1::a00:1", true)]
    [InlineData("2002:7f00:1::1", true)]
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", true)]
    public void Addresses_are_judged_forbidden_or_allowed(string address, bool forbidden) =>
        Assert.Equal(forbidden, DestinationPolicy.IsForbiddenAddress(IPAddress.Parse(address)));

    [Fact]
    public async Task A_host_resolving_to_any_private_address_is_refused()
    {
        var resolver = new FakeDestinationResolver("8.8.8.8", "10.0.0.5");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri("https://hooks.example.com/in"), allowPrivateNetworks: false, resolver.ResolveAsync, CancellationToken.None);

        Assert.NotNull(reason);
        Assert.Contains("10.0.0.5", reason, StringComparison.Ordinal);
        Assert.Contains("refused", reason, StringComparison.Ordinal);
        Assert.Equal(["hooks.example.com"], resolver.Queries);
    }

    [Fact]
    public async Task A_host_resolving_only_to_public_addresses_is_accepted()
    {
        var resolver = new FakeDestinationResolver("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri("https://hooks.example.com/in"), allowPrivateNetworks: false, resolver.ResolveAsync, CancellationToken.None);

        Assert.Null(reason);
        Assert.Single(resolver.Queries);
    }

    [Fact]
    public async Task A_host_that_cannot_be_resolved_is_refused()
    {
        var failures = new Func<string, CancellationToken, Task<IPAddress[]>>[]
        {
            (_, _) => throw new SocketException((int)SocketError.HostNotFound),
            (_, _) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.TryAgain)),
            (_, _) => Task.FromResult(Array.Empty<IPAddress>()),
        };

        foreach (var resolve in failures)
        {
            var reason = await DestinationPolicy.CheckDestinationAsync(
                new Uri("https://no-such-host.example/in"), allowPrivateNetworks: false, resolve, CancellationToken.None);

            Assert.Equal("host name could not be resolved", reason);
        }
    }

    [Theory]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://LOCALHOST/hook")]
    [InlineData("http://localhost./hook")]
    [InlineData("http://api.localhost/hook")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    public async Task Local_and_internal_host_names_are_refused_without_resolving(string url)
    {
        var resolver = new FakeDestinationResolver("8.8.8.8");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri(url), allowPrivateNetworks: false, resolver.ResolveAsync, CancellationToken.None);

        Assert.NotNull(reason);
        Assert.Contains("refused", reason, StringComparison.Ordinal);
        Assert.Empty(resolver.Queries);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/hook", true)]
    [InlineData("http://169.254.169.254/latest/meta-data/", true)]
    [InlineData("http://[::1]:8080/hook", true)]
    [InlineData("http://[fd00:ec2::254]/", true)]
    [InlineData("http://[::ffff:127.0.0.1]/", true)]
    [InlineData("http://0x7f.1/", true)]
    [InlineData("https://8.8.8.8/hook", false)]
    [InlineData("https://[2606:4700::1111]/hook", false)]
    public async Task Ip_literals_are_judged_without_resolving(string url, bool refused)
    {
        var resolver = new FakeDestinationResolver("8.8.8.8");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri(url), allowPrivateNetworks: false, resolver.ResolveAsync, CancellationToken.None);

        Assert.Equal(refused, reason is not null);
        Assert.Empty(resolver.Queries);
    }

    /// <summary>
    /// Every form of URL an SSRF attempt uses, with what System.Uri makes of its host (the host the
    /// connection would go to) and the reason the settings rules give; null: accepted. Names resolve
    /// through a fake resolver: public.test and every other name to 93.184.215.14, except those below.
    /// </summary>
    public static TheoryData<string, string, string?> UrlForms => new()
    {
        // Loopback.
        { "http://127.0.0.1/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://127.255.255.254/", "127.255.255.254", "private or loopback address (127.255.255.254)" },
        { "http://[::1]/", "[::1]", "private or loopback address (::1)" },
        // RFC 1918, with the edges of 172.16.0.0/12.
        { "http://10.0.0.1/", "10.0.0.1", "private or loopback address (10.0.0.1)" },
        { "http://10.255.255.255/", "10.255.255.255", "private or loopback address (10.255.255.255)" },
        { "http://172.15.255.255/", "172.15.255.255", null },
        { "http://172.16.0.0/", "172.16.0.0", "private or loopback address (172.16.0.0)" },
        { "http://172.31.255.255/", "172.31.255.255", "private or loopback address (172.31.255.255)" },
        { "http://172.32.0.0/", "172.32.0.0", null },
        { "http://192.168.0.1/", "192.168.0.1", "private or loopback address (192.168.0.1)" },
        { "http://192.168.255.255/", "192.168.255.255", "private or loopback address (192.168.255.255)" },
        // Link-local and metadata.
        { "http://169.254.169.254/latest/meta-data/", "169.254.169.254", "private or loopback address (169.254.169.254)" },
        { "http://[fe80::1]/", "[fe80::1]", "private or loopback address (fe80::1)" },
        { "http://[fd00:ec2::254]/latest/meta-data/", "[fd00:ec2::254]", "private or loopback address (fd00:ec2::254)" },
        { "http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal", "names a local or internal host (metadata.google.internal)" },
        { "http://METADATA.google.internal./", "metadata.google.internal.", "names a local or internal host (metadata.google.internal.)" },
        // Carrier-grade NAT 100.64.0.0/10 and its edges.
        { "http://100.63.255.255/", "100.63.255.255", null },
        { "http://100.64.0.0/", "100.64.0.0", "private or loopback address (100.64.0.0)" },
        { "http://100.127.255.255/", "100.127.255.255", "private or loopback address (100.127.255.255)" },
        { "http://100.128.0.0/", "100.128.0.0", null },
        // Unique local fc00::/7.
        { "http://[fc00::1]/", "[fc00::1]", "private or loopback address (fc00::1)" },
        { "http://[fdff:ffff:ffff::1]/", "[fdff:ffff:ffff::1]", "private or loopback address (fdff:ffff:ffff::1)" },
        { "http://[fe00::1]/", "[fe00::1]", null },
        // IPv4-mapped IPv6, in both spellings (Uri writes the second as the first), and NAT64.
        { "http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]", "private or loopback address (::ffff:127.0.0.1)" },
        { "http://[::ffff:7f00:1]/", "[::ffff:127.0.0.1]", "private or loopback address (::ffff:127.0.0.1)" },
        { "http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "[::ffff:169.254.169.254]", "private or loopback address (::ffff:169.254.169.254)" },
        { "http://[64:ff9b::a9fe:a9fe]/", "[64:ff9b::a9fe:a9fe]", "private or loopback address (64:ff9b::a9fe:a9fe)" },
        // Unspecified: Uri reads a bare 0 as 0.0.0.0 too.
        { "http://0.0.0.0/", "0.0.0.0", "private or loopback address (0.0.0.0)" },
        { "http://0/", "0.0.0.0", "private or loopback address (0.0.0.0)" },
        { "http://[::]/", "[::]", "private or loopback address (::)" },
        // Decimal, octal, hex and short forms: Uri canonicalises them all to the dotted quad.
        { "http://2130706433/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://0177.0.0.1/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://0x7f.1/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://0x7f000001/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://127.1/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://0300.0250.0.1/", "192.168.0.1", "private or loopback address (192.168.0.1)" },
        // Host names to Uri that spell an address: judged as that address, never sent to a resolver.
        { "http://127.0.0.1./", "127.0.0.1.", "private or loopback address (127.0.0.1)" },
        { "http://127\u30020\u30020\u30021/", "127\u30020\u30020\u30021", "private or loopback address (127.0.0.1)" },
        // User-information tricks.
        { "http://example.com@127.0.0.1/", "127.0.0.1", "must not contain user information" },
        { "http://127.0.0.1#@example.com/", "127.0.0.1", "private or loopback address (127.0.0.1)" },
        { "http://127.0.0.1:80@example.com/", "example.com", "must not contain user information" },
        { "http://user:pass@host/", "host", "must not contain user information" },
        // Local names, in any case and with a trailing dot.
        { "http://localhost/", "localhost", "names a local or internal host (localhost)" },
        { "http://localhost./", "localhost.", "names a local or internal host (localhost.)" },
        { "http://LOCALHOST/", "localhost", "names a local or internal host (localhost)" },
        { "http://LocalHost.:8080/", "localhost.", "names a local or internal host (localhost.)" },
        // Names that resolve privately.
        { "http://private.test/", "private.test", "resolves to a private or loopback address (10.1.2.3)" },
        { "http://mapped.test/", "mapped.test", "resolves to a private or loopback address (::ffff:127.0.0.1)" },
        { "http://mixed.test/", "mixed.test", "resolves to a private or loopback address (192.168.1.1)" },
        // Other schemes.
        { "ftp://example.com/file", "example.com", "must be an absolute http or https URL" },
        { "file:///etc/passwd", "", "must be an absolute http or https URL" },
        { "gopher://127.0.0.1:6379/_INFO", "127.0.0.1", "must be an absolute http or https URL" },
        { "javascript:alert(1)", "", "must be an absolute http or https URL" },
        { "data:text/plain,hello", "", "must be an absolute http or https URL" },
        // Public destinations.
        { "http://93.184.215.14/hook", "93.184.215.14", null },
        { "https://public.test:8443/hook?x=1", "public.test", null },
        { "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]", null },
    };

    /// <summary>The fake resolver behind <see cref="UrlForms"/>.</summary>
    public static FakeDestinationResolver UrlFormsResolver() => new FakeDestinationResolver("93.184.215.14")
        .Map("private.test", "10.1.2.3")
        .Map("mapped.test", "::ffff:127.0.0.1")
        .Map("mixed.test", "93.184.215.14", "192.168.1.1");

    [Theory]
    [MemberData(nameof(UrlForms))]
    public async Task Each_url_form_is_read_as_system_uri_reads_it_and_judged_by_the_settings_rules(string url, string uriHost, string? reason)
    {
        Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri), $"{url} is not an absolute URI");
        Assert.Equal(uriHost, uri.Host);

        var update = new WebhookSettingsUpdate(Enabled: true, url, Username: null, Password: null, ServiceNowWrapper: false);
        var (_, refusal) = await AccountGrain.CheckSettingsAsync(update, AccountPlan.Corporate, allowPrivateNetworks: false, UrlFormsResolver(), CancellationToken.None);

        if (reason is null)
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.Equal(SettingsUpdateOutcome.Invalid, refusal.Outcome);
            Assert.Equal("url", refusal.Field);
            Assert.Contains(reason, refusal.Error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("127.0.0.1.")]
    [InlineData("127\u30020\u30020\u30021")]
    [InlineData("2130706433")]
    public async Task A_host_that_spells_an_address_is_never_sent_to_the_resolver(string host)
    {
        var resolver = new FakeDestinationResolver("93.184.215.14");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri($"http://{host}/"), allowPrivateNetworks: false, resolver.ResolveAsync, CancellationToken.None);

        Assert.Contains("(127.0.0.1)", reason, StringComparison.Ordinal);
        Assert.Empty(resolver.Queries);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task The_connect_callback_dials_what_the_resolver_says_and_refuses_a_name_that_resolves_to_loopback(string address)
    {
        using var timeout = new CancellationTokenSource(_testTimeout);
        var listener = new TcpListener(IPAddress.IPv6Any, 0) { Server = { DualMode = true } };
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var resolver = new FakeDestinationResolver().Map("rebind.test", address);
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = DestinationPolicy.CreateConnectCallback(allowPrivateNetworks: false, resolver),
                UseProxy = false,
            });

            var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://rebind.test:{port}/"), timeout.Token));

            Assert.Equal(AttemptFailure.DestinationRefused, WebhookSender.Classify(error));
            Assert.Equal(["rebind.test"], resolver.Queries);
            Assert.False(listener.Pending(), "no connection may reach the loopback listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("127.0.0.1.")]
    [InlineData("127\u30020\u30020\u30021")]
    public async Task The_connect_callback_refuses_a_host_that_spells_a_loopback_address_without_asking_the_resolver(string host)
    {
        using var timeout = new CancellationTokenSource(_testTimeout);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var resolver = new FakeDestinationResolver("93.184.215.14");
            using var client = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = DestinationPolicy.CreateConnectCallback(allowPrivateNetworks: false, resolver),
                UseProxy = false,
            });

            var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://{host}:{port}/"), timeout.Token));

            Assert.Equal(AttemptFailure.DestinationRefused, WebhookSender.Classify(error));
            Assert.Empty(resolver.Queries);
            Assert.False(listener.Pending(), "no connection may reach the loopback listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    [Theory]
    [InlineData("http://localhost:8080/hook")]
    [InlineData("http://127.0.0.1:5000/hook")]
    [InlineData("http://internal-receiver.corp.example/hook")]
    public async Task Allowing_private_networks_accepts_any_destination_without_resolving(string url)
    {
        var resolver = new FakeDestinationResolver("10.0.0.5");

        var reason = await DestinationPolicy.CheckDestinationAsync(
            new Uri(url), allowPrivateNetworks: true, resolver.ResolveAsync, CancellationToken.None);

        Assert.Null(reason);
        Assert.Empty(resolver.Queries);
    }

    [Fact]
    public async Task The_connect_callback_refuses_loopback_unless_private_networks_are_allowed()
    {
        using var timeout = new CancellationTokenSource(_testTimeout);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var url = new Uri($"http://127.0.0.1:{port}/");

            using (var refusingClient = CreateClient(allowPrivateNetworks: false))
            {
                var error = await Assert.ThrowsAsync<HttpRequestException>(
                    () => refusingClient.GetAsync(url, timeout.Token));
                Assert.Contains("refused", error.Message, StringComparison.Ordinal);
                Assert.False(listener.Pending(), "no connection may reach the loopback receiver");
            }

            var server = ServeOneResponseAsync(listener, timeout.Token);
            using (var allowingClient = CreateClient(allowPrivateNetworks: true))
            {
                using var response = await allowingClient.GetAsync(url, timeout.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("ok", await response.Content.ReadAsStringAsync(timeout.Token));
            }

            await server.WaitAsync(timeout.Token);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static HttpClient CreateClient(bool allowPrivateNetworks) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = DestinationPolicy.CreateConnectCallback(allowPrivateNetworks, DnsDestinationResolver.Instance),
            ConnectTimeout = _testTimeout,
            UseProxy = false,
        })
        {
            Timeout = _testTimeout,
        };

    private static async Task ServeOneResponseAsync(TcpListener listener, CancellationToken ct)
    {
        using var client = await listener.AcceptTcpClientAsync(ct);
        var stream = client.GetStream();

        // Read the request head before answering so the client never sees a reset mid-send.
        var buffer = new byte[4096];
        var request = new StringBuilder();
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray();
        await stream.WriteAsync(response, ct);
        await stream.FlushAsync(ct);
    }
}
