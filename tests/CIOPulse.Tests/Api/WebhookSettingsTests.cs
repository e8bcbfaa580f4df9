using System.Net;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §3 and §4: webhook settings as an account administrator reads and writes them.</summary>
public abstract class WebhookSettingsTests(SiloAppFixture fixture)
{
    [Fact]
    public async Task Settings_never_return_the_password_but_show_hasPassword()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var url = fixture.Receiver.UrlFor(ReceiverPathFor(accountId));
        var password = "pw-" + Guid.NewGuid().ToString("N");
        using var client = fixture.App.CreateClient(key);

        using var put = await client.PutSettingsAsync(accountId, Settings(url, "user", password, serviceNowWrapper: true));
        await AssertStatusAsync(put, HttpStatusCode.OK);
        Assert.DoesNotContain(password, await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var reader in new[] { key, SiloApp.SystemKey })
        {
            using var readerClient = fixture.App.CreateClient(reader);
            using var get = await readerClient.GetAsync(SettingsPath(accountId));
            await AssertStatusAsync(get, HttpStatusCode.OK);
            Assert.DoesNotContain(password, await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            var settings = await ReadJsonAsync(get);
            Assert.False(settings.TryGetProperty("password", out _), $"The settings show a password member: {settings}");
            Assert.True(settings.GetProperty("hasPassword").GetBoolean());
            Assert.True(settings.GetProperty("enabled").GetBoolean());
            Assert.Equal(url, settings.Text("url"));
            Assert.Equal("user", settings.Text("username"));
            Assert.True(settings.GetProperty("serviceNowWrapper").GetBoolean());
        }
    }

    [Fact]
    public async Task A_new_account_has_webhooks_off_and_no_password()
    {
        var accountId = await fixture.App.CreateAccountAsync("Enterprise");
        using var client = fixture.App.CreateClient();

        var settings = await client.GetJsonAsync(SettingsPath(accountId));

        Assert.False(settings.GetProperty("enabled").GetBoolean());
        Assert.False(settings.GetProperty("hasPassword").GetBoolean());
    }

    [Fact]
    public async Task An_omitted_password_keeps_the_stored_one_and_an_empty_one_clears_it()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var url = fixture.Receiver.UrlFor(path);
        await fixture.App.SetSettingsAsync(accountId, Settings(url, "user", "first-secret"));

        var kept = await fixture.App.SetSettingsAsync(accountId, Settings(url, "user"));
        Assert.True(kept.GetProperty("hasPassword").GetBoolean());
        var keptByNull = await fixture.App.SetSettingsAsync(accountId, new JsonObject { ["enabled"] = true, ["url"] = url, ["username"] = "user", ["password"] = null });
        Assert.True(keptByNull.GetProperty("hasPassword").GetBoolean());

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var first = await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline);
        Assert.Equal(BasicAuthorization("user", "first-secret"), first[0].Authorization);

        var cleared = await fixture.App.SetSettingsAsync(accountId, Settings(url, "user", ""));
        Assert.False(cleared.GetProperty("hasPassword").GetBoolean());
        using var client = fixture.App.CreateClient();
        Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("hasPassword").GetBoolean());

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var second = await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline);
        Assert.Equal(BasicAuthorization("user", ""), second[1].Authorization);
    }

    [Theory]
    [InlineData("/relative/hook")]
    [InlineData("relative-hook")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    [InlineData(null)]
    public async Task An_enabled_webhook_without_an_absolute_http_url_gets_400_naming_url(string? url)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        using var response = await client.PutSettingsAsync(accountId, Settings(url));

        await AssertInvalidAsync(response, "url");
        var settings = await client.GetJsonAsync(SettingsPath(accountId));
        Assert.False(settings.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_username_with_a_colon_gets_400_naming_username()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PutSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId)), "us:er", "secret"));

        await AssertInvalidAsync(response, "username");
        Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("hasPassword").GetBoolean());
    }

    [Theory]
    [InlineData("""{"url":"https://example.com/hook"}""", "enabled")]
    [InlineData("""{"enabled":"yes","url":"https://example.com/hook"}""", "enabled")]
    [InlineData("""{"enabled":true,"url":42}""", "url")]
    [InlineData("""{"enabled":true,"url":"https://example.com/hook","username":7}""", "username")]
    [InlineData("""{"enabled":true,"url":"https://example.com/hook","password":false}""", "password")]
    [InlineData("""{"enabled":true,"url":"https://example.com/hook","serviceNowWrapper":"true"}""", "serviceNowWrapper")]
    public async Task A_settings_member_of_the_wrong_type_gets_400_naming_it(string body, string field)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent(body);

        using var response = await client.PutAsync(SettingsPath(accountId), content);

        await AssertInvalidAsync(response, field);
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class WebhookSettingsTestsInMemory(MemorySiloAppFixture fixture) : WebhookSettingsTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class WebhookSettingsTestsOnPostgres(PostgresSiloAppFixture fixture) : WebhookSettingsTests(fixture);
