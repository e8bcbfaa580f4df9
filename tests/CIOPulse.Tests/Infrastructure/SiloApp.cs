using System.Net.Http.Headers;
using CIOPulse.Silo;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The real product process (silo + co-hosted API, exactly as <c>dotnet run --project src/Silo</c>
/// builds it) started in-process on free loopback ports, with retry delays scaled down to seconds.
/// </summary>
public sealed class SiloApp : IAsyncDisposable
{
    public const string SystemKey = "test-system-key-0123456789";

    private readonly WebApplication _app;

    private SiloApp(WebApplication app, Uri baseUri, IReadOnlyDictionary<string, string> settings)
    {
        _app = app;
        BaseUri = baseUri;
        Settings = settings;
    }

    public Uri BaseUri { get; }

    /// <summary>The configuration the node was started with (ports, cluster id, overrides).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>The node's services, for tests that talk to its grains directly.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a node; <paramref name="settings"/> override configuration keys (e.g. "Webhooks:AttemptTimeout"),
    /// <paramref name="services"/> registers services before the product does (a fake resolver, a log capture).
    /// </summary>
    public static async Task<SiloApp> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, Action<WebApplication>? configure = null, Action<IServiceCollection>? services = null)
    {
        var values = TestSettings(settings);
        var app = await SiloHost.BuildAsync(Arguments(values), services);
        configure?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SiloApp(app, new Uri(address), values);
    }

    /// <summary>The command line a node is started with.</summary>
    public static string[] Arguments(IReadOnlyDictionary<string, string> settings) => [.. settings.Select(kv => $"--{kv.Key}={kv.Value}")];

    /// <summary>The test defaults (free ports, a fresh cluster id, seconds-long retry delays) with <paramref name="settings"/> over them.</summary>
    public static Dictionary<string, string> TestSettings(IReadOnlyDictionary<string, string>? settings = null)
    {
        var values = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Api:SystemKey"] = SystemKey,
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = "test-" + Guid.NewGuid().ToString("N"),
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:AttemptTimeout"] = "00:00:02",
            ["Webhooks:RetryDelays:0"] = "00:00:01",
            ["Webhooks:RetryDelays:1"] = "00:00:01",
            ["Webhooks:RetryDelays:2"] = "00:00:01",
            ["Webhooks:RetryDelays:3"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        return values;
    }

    /// <summary>Settings that put a node on PostgreSQL (it migrates the schema itself at start-up).</summary>
    public static Dictionary<string, string> PostgresSettings(string connectionString) => new()
    {
        ["ConnectionStrings:Postgres"] = connectionString,
        ["Secrets:EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
    };

    /// <summary>An HttpClient for the API, with the given X-Api-Key (none when null).</summary>
    public HttpClient CreateClient(string? apiKey = SystemKey)
    {
        var client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
