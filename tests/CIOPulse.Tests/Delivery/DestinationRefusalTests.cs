using System.Net;
using System.Net.Sockets;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Delivery;

/// <summary>
/// SPEC §6 on a real node with <c>Webhooks:AllowPrivateNetworks=false</c>: every URL form of
/// <see cref="DestinationPolicyTests.UrlForms"/> through <c>PUT …/webhook-settings</c>, and DNS
/// rebinding caught at connect time. The node resolves names through a fake resolver (this machine
/// has no outside DNS).
/// </summary>
public sealed class DestinationRefusalTests(DestinationRefusalTests.RefusingNodeFixture fixture) : IClassFixture<DestinationRefusalTests.RefusingNodeFixture>
{
    [Theory]
    [MemberData(nameof(DestinationPolicyTests.UrlForms), MemberType = typeof(DestinationPolicyTests))]
    public async Task Settings_with_each_url_form_are_refused_with_400_naming_url_and_the_reason_or_stored(string url, string uriHost, string? reason)
    {
        Assert.NotNull(uriHost);
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(accountId));

        using var response = await client.PutSettingsAsync(accountId, Settings(url));

        if (reason is null)
        {
            await AssertStatusAsync(response, HttpStatusCode.OK);
            Assert.Equal(url, (await client.GetJsonAsync(SettingsPath(accountId))).Text("url"));
        }
        else
        {
            var problem = await AssertInvalidAsync(response, "url");
            Assert.Contains(reason, Detail(problem), StringComparison.Ordinal);
            Assert.Contains(reason, problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.Ordinal);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, (await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("url").ValueKind);
        }
    }

    [Fact]
    public async Task A_name_that_resolved_publicly_when_saved_and_privately_at_connect_time_is_refused_without_connecting()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accountId = await fixture.App.CreateAccountAsync();
            fixture.Resolver.Map("rebind.test", "93.184.215.14");
            await fixture.App.SetSettingsAsync(accountId, Settings($"http://rebind.test:{port}/hook", username: "u", password: "p"));

            // The attacker's DNS now answers with the loopback address, where the listener waits.
            fixture.Resolver.Map("rebind.test", "127.0.0.1");
            var asked = fixture.Resolver.Queries.Count(host => host == "rebind.test");
            var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

            using var client = fixture.App.CreateClient();
            var entry = await client.WaitForEntryAsync(accountId, webhookId, e => e.GetProperty("attemptHistory").GetArrayLength() >= 1);
            var attempt = entry.GetProperty("attemptHistory")[0];

            Assert.Equal("DestinationRefused", attempt.Text("failure"));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, attempt.GetProperty("responseCode").ValueKind);
            Assert.Contains("rebind.test", attempt.Text("error"), StringComparison.Ordinal);
            Assert.Contains("refused", attempt.Text("error"), StringComparison.Ordinal);
            Assert.True(fixture.Resolver.Queries.Count(host => host == "rebind.test") > asked, "the connect-time check asked the resolver again");
            Assert.False(listener.Pending(), "nothing may connect to the loopback listener");
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A node that refuses private destinations, with <see cref="DestinationPolicyTests.UrlFormsResolver"/> as its resolver.</summary>
    public sealed class RefusingNodeFixture : IAsyncLifetime
    {
        public FakeDestinationResolver Resolver { get; } = DestinationPolicyTests.UrlFormsResolver();

        public SiloApp App { get; private set; } = null!;

        public async Task InitializeAsync() =>
            App = await SiloApp.StartAsync(
                new Dictionary<string, string> { ["Webhooks:AllowPrivateNetworks"] = "false" },
                services: services => services.AddSingleton<IDestinationResolver>(Resolver));

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}
