using System.Net;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// Preferences › Integration in a real browser: saving, the write-only password, errors next to the
/// field they name, the plan gate, the payload preview, the keyboard alone and no script at all.
/// </summary>
public abstract class PortalSettingsTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    [Fact]
    public async Task Saving_settings_stores_them_and_the_password_is_write_only_with_keep_replace_and_clear()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);
        var url = fixture.Receiver.UrlFor(ReceiverPathFor(accountId));
        var password = "pw-" + Guid.NewGuid().ToString("N");

        await using var portal = await fixture.OpenAsync(Name("settings-save"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await page.GetByRole(AriaRole.Link, new() { Name = "Preferences › Integration" }).ClickAsync();
            await Expect(page.Locator("#password-state")).ToHaveTextAsync("none stored");
            await page.GetByLabel("Webhooks On?").CheckAsync();
            await page.GetByLabel("Webhook URL").FillAsync(url);
            await page.GetByLabel("Webhook Username").FillAsync("ciopulse");
            await page.GetByLabel("Replace with").CheckAsync();
            await page.GetByLabel("New password").FillAsync(password);
            await page.GetByLabel("ServiceNow wrapper").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.Locator("#saved-notice")).ToContainTextAsync("Saved");
            await Expect(page.Locator("#password-state")).ToHaveTextAsync("● stored");
            await Expect(page.GetByLabel("New password")).ToHaveValueAsync("");
            await Expect(page.GetByLabel("Webhook URL")).ToHaveValueAsync(url);
            Assert.DoesNotContain(password, await page.ContentAsync(), StringComparison.Ordinal);
            var stored = await client.GetJsonAsync(SettingsPath(accountId));
            Assert.True(stored.GetProperty("enabled").GetBoolean());
            Assert.Equal(url, stored.Text("url"));
            Assert.Equal("ciopulse", stored.Text("username"));
            Assert.True(stored.GetProperty("hasPassword").GetBoolean());
            Assert.True(stored.GetProperty("serviceNowWrapper").GetBoolean());

            // Keep leaves the stored password, and the delivery uses it.
            await page.GetByLabel("ServiceNow wrapper").UncheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
            var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
            var received = await fixture.Receiver.WaitForRequestsAsync(ReceiverPathFor(accountId), 1, Deadline);
            Assert.Equal(BasicAuthorization("ciopulse", password), Assert.Single(received).Authorization);
            Assert.Equal(webhookId, received[0].WebhookId);

            await page.GetByLabel("Clear").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#password-state")).ToHaveTextAsync("none stored");
            Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("hasPassword").GetBoolean());
        });
    }

    [Fact]
    public async Task A_refused_URL_and_a_missing_new_password_are_shown_next_to_their_fields()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);

        await using var portal = await fixture.OpenAsync(Name("settings-errors"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await page.GetByLabel("Webhooks On?").CheckAsync();
            await page.GetByLabel("Webhook URL").FillAsync("ftp://files.example.com/drop");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.Locator("#url-error")).ToContainTextAsync("http");
            await Expect(page.GetByLabel("Webhook URL")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.GetByLabel("Webhook URL")).ToHaveValueAsync("ftp://files.example.com/drop");

            await page.GetByLabel("Webhook URL").FillAsync("https://api.example.com/hook");
            await page.GetByLabel("Replace with").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#password-error")).ToHaveTextAsync("Type the new password, or choose Keep.");
            await Expect(page.Locator("#url-error")).ToBeHiddenAsync();
        });
    }

    [Fact]
    public async Task A_Standard_plan_account_is_told_its_plan_and_cannot_turn_webhooks_on()
    {
        var accountId = await fixture.App.CreateAccountAsync("Standard");
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        await using var portal = await fixture.OpenAsync(Name("settings-plan"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await Expect(page.Locator("#plan-notice")).ToContainTextAsync("Corporate and Enterprise");
            await Expect(page.Locator("#plan-notice")).ToContainTextAsync("Standard plan");
            await Expect(page.GetByLabel("Webhooks On?")).ToBeDisabledAsync();

            // A form forced past the disabled box meets the same rule as the API.
            await page.EvaluateAsync("() => { const box = document.getElementById('Enabled'); box.disabled = false; box.checked = true; }");
            await page.GetByLabel("Webhook URL").FillAsync("https://api.example.com/hook");
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync(),
                r => r.Request.Method == "POST");
            Assert.Equal((int)HttpStatusCode.Forbidden, response.Status);
            await Expect(page.Locator("#form-error")).ToContainTextAsync("Standard plan");
            Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("enabled").GetBoolean());
        });
    }

    [Fact]
    public async Task The_preview_shows_the_exact_body_for_the_sample_survey_with_and_without_the_ServiceNow_wrapper()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);

        await using var portal = await fixture.OpenAsync(Name("settings-preview"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await page.Locator("#preview-wrapped summary").ClickAsync();
            var plain = await page.Locator("#preview-plain .preview-body").TextContentAsync();
            var wrapped = await page.Locator("#preview-wrapped .preview-body").TextContentAsync();

            Assert.Equal("{\"sysparm_quantity\":\"1\",\"variables\":" + plain + "}", wrapped);
            using var json = JsonDocument.Parse(plain!);
            var body = json.RootElement;
            Assert.Matches("^[0-9a-f]{13}$", body.GetProperty("Webhook_ID").GetString());
            Assert.Equal("3690", body.GetProperty("Response_ID").GetString());
            Assert.Equal("2021-07-29 07:50:52", body.GetProperty("Response_Datetime_UTC").GetString());
            Assert.Equal("1", body.GetProperty("Responsiveness").GetString());
            Assert.Equal("9", body.GetProperty("Overall").GetString());
            Assert.Equal(25, body.EnumerateObject().Count());
            await Expect(page.Locator("#preview-plain summary")).ToContainTextAsync($"{System.Text.Encoding.UTF8.GetByteCount(plain!):N0} bytes");
        });
    }

    [Fact]
    public async Task Settings_can_be_saved_with_the_keyboard_alone_and_focus_is_visible()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);
        var url = "https://hooks.example.com/" + accountId;

        await using var portal = await fixture.OpenAsync(Name("settings-keyboard"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await TabToAsync(page, "Enabled");
            await page.Keyboard.PressAsync("Space");
            await TabToAsync(page, "WebhookUrl");
            Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
            await page.Keyboard.TypeAsync(url);
            await TabToAsync(page, "save");
            await page.Keyboard.PressAsync("Enter");

            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
            var stored = await client.GetJsonAsync(SettingsPath(accountId));
            Assert.True(stored.GetProperty("enabled").GetBoolean());
            Assert.Equal(url, stored.Text("url"));
        });
    }

    [Fact]
    public async Task Signing_in_and_saving_settings_work_without_JavaScript()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        await using var portal = await fixture.OpenAsync(Name("no-script"), new BrowserNewContextOptions { JavaScriptEnabled = false });
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await page.GetByLabel("Webhook Username").FillAsync("no-script");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
            Assert.Equal("no-script", (await client.GetJsonAsync(SettingsPath(accountId))).Text("username"));

            await p.GotoAsync("/portal/log");
            await Expect(page.Locator("#live")).ToBeHiddenAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Webhook Log" })).ToBeVisibleAsync();
        });
    }

    /// <summary>Presses Tab until the element with <paramref name="id"/> has the focus.</summary>
    private static async Task TabToAsync(IPage page, string id)
    {
        for (var presses = 0; presses < 40; presses++)
        {
            if (await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") == id)
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached #{id}.");
    }
}

[Collection(PortalCollection.Memory)]
public sealed class PortalSettingsTestsInMemory(MemoryPortalFixture fixture) : PortalSettingsTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalSettingsTestsOnPostgres(PostgresPortalFixture fixture) : PortalSettingsTests(fixture, StorageMode.Postgres);
