using System.Diagnostics;
using System.Text.RegularExpressions;
using CIOPulse.Api;
using CIOPulse.Api.Portal;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// How changes reach open pages: pushed through the account's feed grain as they are stored, kept
/// current by hand when the stream drops, and the same through a standalone gateway, whose portal
/// shares the silos' key ring (a session made on a silo is good on the gateway).
/// </summary>
[Collection(PortalCollection.Memory)]
public sealed class PortalLiveTests(MemoryPortalFixture fixture)
{
    [Fact]
    public async Task A_watcher_is_told_of_each_stored_row_change_and_deliveries_publish_only_while_someone_watches()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "watched"), _ => new ReceiverResponse(200, "ok", TimeSpan.FromMilliseconds(300)))));
        var grains = fixture.App.Services.GetRequiredService<IGrainFactory>();
        var account = grains.GetGrain<IAccountGrain>(accountId);
        Assert.False((await account.GetDeliveryTarget())!.LiveLog);

        await using var watcher = await LiveLogWatcher.StartAsync(grains, accountId);
        Assert.True((await account.GetDeliveryTarget())!.LiveLog);
        var clock = Stopwatch.StartNew();
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        var accepted = await NextChangeAsync(watcher);
        Assert.Equal(webhookId, accepted.WebhookId);
        Assert.Equal((WebhookStatus.InProgress, 0), (accepted.Status, accepted.Attempts));
        var delivered = await NextChangeAsync(watcher);
        Assert.Equal((webhookId, WebhookStatus.Succeeded, 1, 200, "ok"), (delivered.WebhookId, delivered.Status, delivered.Attempts, delivered.LastResponseCode, delivered.LastResponse));

        // Pushed: well within the stream's 5-second re-read of the index.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"The changes took {clock.Elapsed}.");
    }

    [Fact]
    public async Task When_the_live_stream_is_refused_the_page_says_so_refreshes_itself_and_goes_live_again()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));

        await using var portal = await fixture.OpenAsync("live-fallback");
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await page.RouteAsync("**/portal/live*", route => route.FulfillAsync(new() { Status = 503, Body = "restarting" }));
            await p.SignInAsync(key);
            await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "fallback");
            await Expect(page.Locator("#live")).ToHaveTextAsync(new Regex("Live updates paused: refreshing every 10 s"));
            await p.MarkDocumentAsync();

            var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
            await Expect(p.Cell(webhookId, "status")).ToHaveTextAsync(new Regex("Succeeded"), new() { Timeout = 25_000 });
            await p.AssertNotReloadedAsync();

            await page.UnrouteAllAsync();
            await p.WaitForLiveAsync();
        });
    }

    [Fact]
    public async Task The_gateway_serves_the_portal_with_the_silos_sessions_and_live_rows()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));
        await using var gateway = await StartGatewayAsync();

        await using var portal = await fixture.OpenAsync("gateway");
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);

            // Same host, another port: the browser sends the silo's cookie, and the gateway can read it.
            await page.GotoAsync(new Uri(gateway.BaseUri, "/portal/log").ToString());
            await Expect(page.Locator(".who")).ToContainTextAsync(accountId);
            await p.WaitForLiveAsync();

            using var client = new HttpClient { BaseAddress = gateway.BaseUri };
            client.DefaultRequestHeaders.Add("X-Api-Key", SiloApp.SystemKey);
            using var posted = await client.PostCompletionAsync(accountId, Completion(NewResponseId()));
            var webhookId = (await ReadJsonAsync(posted)).Text("webhookId");
            await Expect(p.Cell(webhookId, "status")).ToHaveTextAsync(new Regex("Succeeded"));

            await page.GotoAsync(new Uri(gateway.BaseUri, "/portal/settings").ToString());
            await page.GetByLabel("Webhook Username").FillAsync("via-gateway");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
        });
    }

    private static async Task<WebhookLogItem> NextChangeAsync(LiveLogWatcher watcher)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await watcher.Changes.ReadAsync(timeout.Token);
    }

    private async Task<Gateway> StartGatewayAsync()
    {
        var app = GatewayHost.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Api:SystemKey=" + SiloApp.SystemKey,
            "--Orleans:GatewayPort=" + fixture.App.Settings["Orleans:GatewayPort"],
            "--Orleans:ClusterId=" + fixture.App.Settings["Orleans:ClusterId"],
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Gateway(app, new Uri(address));
    }

    private sealed record Gateway(WebApplication App, Uri BaseUri) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}

/// <summary>A node that refuses private destinations, as production does.</summary>
public sealed class StrictPortalFixture() : PortalFixture(StorageMode.Memory)
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Webhooks:AllowPrivateNetworks"] = "false" };
}

[CollectionDefinition(Name)]
public sealed class StrictPortalCollection : ICollectionFixture<StrictPortalFixture>
{
    public const string Name = "portal (private networks refused)";
}

[Collection(StrictPortalCollection.Name)]
public sealed class PortalDestinationTests(StrictPortalFixture fixture)
{
    [Theory]
    [InlineData("http://10.1.2.3/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://127.0.0.1:8080/hook")]
    public async Task A_private_network_URL_is_refused_next_to_the_URL_field(string url)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        await using var portal = await fixture.OpenAsync("private-url-" + Regex.Replace(url, "[^a-z0-9]+", "-"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await page.GetByLabel("Webhooks On?").CheckAsync();
            await page.GetByLabel("Webhook URL").FillAsync(url);
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.Locator("#url-error")).ToContainTextAsync("private or loopback address");
            await Expect(page.GetByLabel("Webhook URL")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.GetByLabel("Webhook URL")).ToHaveAttributeAsync("aria-describedby", new Regex("url-error"));
            Assert.Equal(System.Text.Json.JsonValueKind.Null, (await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("url").ValueKind);
        });
    }
}
