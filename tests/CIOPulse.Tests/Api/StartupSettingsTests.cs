using System.Net;
using System.Security.Cryptography;
using CIOPulse.Api;
using CIOPulse.Silo;
using CIOPulse.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// A bad setting stops the node from starting, with a message that names the key; nothing starts
/// serving and failing later. An unexpected failure of a request is logged at Error and answered
/// with a trace id the log line carries.
/// </summary>
public sealed class StartupSettingsTests
{
    private const string AnyPostgres = "Host=127.0.0.1;Port=1;Username=nobody;Database=none";

    public static TheoryData<string, string, string, string?> BadSettings() => new()
    {
        { "Secrets:EncryptionKey", "not-base64!", "Secrets:EncryptionKey must be base64 of 32 bytes", null },
        { "Secrets:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), "Secrets:EncryptionKey must be base64 of 32 bytes", null },
        { "Secrets:EncryptionKeys:0", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)), "Secrets:EncryptionKeys:0 must be base64 of 32 bytes", null },
        { "Api:SystemKey", "too-short", "Api:SystemKey must be at least 16 characters", null },
        { "Secrets:EncryptionKey", "", "Secrets:EncryptionKeys:0 (or Secrets:EncryptionKey) is required with ConnectionStrings:Postgres", AnyPostgres },
        { "ConnectionStrings:Postgres", "Host=db;Port=not-a-port", "ConnectionStrings:Postgres is not a valid connection string", null },
        { "ConnectionStrings:Postgres", "Username=nobody", "ConnectionStrings:Postgres names no Host", null },
        { "Orleans:SiloPort", "70000", "Orleans:SiloPort must be a TCP port from 1 to 65535", null },
        { "Orleans:GatewayPort", "thirty", "Orleans:GatewayPort", null },
        { "Orleans:AdvertisedIPAddress", "silo-1.example", "Orleans:AdvertisedIPAddress must be an IP address", null },
        { "Webhooks:RetryDelays:0", "-00:05:00", "Webhooks:RetryDelays must hold positive TimeSpans", null },
        { "Webhooks:RetryDelays:0", "soon", "Webhooks:RetryDelays:0 must be a TimeSpan such as 00:05:00 (it is 'soon')", null },
        { "Webhooks:AttemptTimeout", "00:00:00", "Webhooks:AttemptTimeout must be between 100 ms and 10 minutes", null },
        { "Webhooks:MaxRequestsPerDestination", "0", "Webhooks:MaxRequestsPerDestination must be from 1 to 1024", null },
        { "Webhooks:MaxQueuedPerDestination", "-1", "Webhooks:MaxQueuedPerDestination must be from 0 to 100000", null },
        { "Webhooks:RetentionDays", "0", "Webhooks:RetentionDays must be a number of days from 0.00001 (about 1 s) to 36500", null },
        { "Webhooks:RetentionDays", "ninety", "Webhooks:RetentionDays", null },
        { "Webhooks:RetentionSweepInterval", "00:00:00.500", "Webhooks:RetentionSweepInterval must be between 1 s and 1 day", null },
        { "Webhooks:RetentionSweepBatchSize", "0", "Webhooks:RetentionSweepBatchSize must be from 1 to 10000", null },
        { "Webhooks:RetentionSweepTickBudget", "00:00:21", "Webhooks:RetentionSweepTickBudget must be between 0 and 20 s", null },
        { "Api:RateLimits:CompletionsPerSecond", "-5", "Api:RateLimits:CompletionsPerSecond must be from 0 (off) to 1000000", null },
        { "Api:RateLimits:RequestsBurstPerKey", "0", "Api:RateLimits:RequestsBurstPerKey must be from 1 to 1000000", null },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_silo_at_start_naming_the_key(string key, string value, string message, string? connectionString)
    {
        var settings = SiloApp.TestSettings(new Dictionary<string, string> { [key] = value });
        if (connectionString is not null)
        {
            settings["ConnectionStrings:Postgres"] = connectionString;
        }

        if (key == "ConnectionStrings:Postgres")
        {
            settings["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await SiloHost.BuildAsync(SiloApp.Arguments(settings));
            await app.StartAsync();
            await app.StopAsync();
        });

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_listed_twice_or_a_bad_second_key_stops_the_silo_naming_each()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = SiloApp.TestSettings(new Dictionary<string, string>
        {
            ["Secrets:EncryptionKeys:0"] = key,
            ["Secrets:EncryptionKeys:1"] = "not base64!",
            ["Secrets:EncryptionKey"] = key,
        });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => SiloHost.BuildAsync(SiloApp.Arguments(settings)));

        Assert.Contains("Secrets:EncryptionKeys:1 must be base64 of 32 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("Secrets:EncryptionKey is the same key as Secrets:EncryptionKeys:0", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Orleans:GatewayPort", "0", "Orleans:GatewayPort must be a TCP port from 1 to 65535")]
    [InlineData("Orleans:ClusterId", " ", "Orleans:ClusterId must not be empty")]
    public void A_bad_cluster_setting_stops_the_gateway_naming_the_key(string key, string value, string message)
    {
        var error = Assert.ThrowsAny<Exception>(() => GatewayHost.Build(["--Api:SystemKey=" + SiloApp.SystemKey, $"--{key}={value}"]));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_silo_and_gateway_port_is_refused()
    {
        var port = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var settings = SiloApp.TestSettings(new Dictionary<string, string> { ["Orleans:SiloPort"] = port, ["Orleans:GatewayPort"] = port });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => SiloHost.BuildAsync(SiloApp.Arguments(settings)));

        Assert.Contains("Orleans:SiloPort and Orleans:GatewayPort must differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_failure_answers_500_with_a_trace_id_and_is_logged_at_Error_with_it()
    {
        var logged = new CapturingLoggerProvider();
        await using var node = await SiloApp.StartAsync(configure: app =>
        {
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logged);
            app.MapGet("/test/fails", (HttpContext _) => throw new InvalidOperationException("boom"));
        });
        using var client = node.CreateClient();

        using var response = await client.GetAsync("/test/fails");

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        var traceId = problem.Text("traceId");
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.DoesNotContain("boom", Detail(problem), StringComparison.Ordinal);
        var line = Assert.Single(logged.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("answered 500", StringComparison.Ordinal));
        Assert.Contains(traceId, line.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(line.Exception);
    }
}
