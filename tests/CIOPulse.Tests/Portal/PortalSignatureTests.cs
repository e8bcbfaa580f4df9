using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// Issue 14 in a real browser: the Integration page's Signatures section makes a signing secret,
/// shows it once (read-only, with Copy), and never again; rotating says until when the previous one
/// signs; the Sign webhooks box turns signatures on, and the webhook then verifies with the secret.
/// </summary>
public abstract class PortalSignatureTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    [Fact]
    public async Task A_signing_secret_is_shown_once_and_is_gone_on_reload_and_signs_once_signatures_are_on()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        var url = fixture.Receiver.UrlFor(path);
        using var client = fixture.App.CreateClient(key);

        await using var portal = await fixture.OpenAsync(Name("signing-secret"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await Expect(page.Locator("#signatures-state")).ToContainTextAsync("No signing secret yet.");

            // Signatures on without a secret: refused next to the box.
            await page.GetByLabel("Webhooks On?").CheckAsync();
            await page.GetByLabel("Webhook URL").FillAsync(url);
            await page.GetByLabel("Sign webhooks").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#signatures-error")).ToContainTextAsync("signing secret");

            await page.GetByRole(AriaRole.Button, new() { Name = "Create signing secret" }).ClickAsync();
            var field = page.GetByLabel("Your new signing secret");
            await Expect(field).ToHaveAttributeAsync("readonly", "");
            var secret = await field.InputValueAsync();
            Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
            await Expect(page.Locator("#signing-secret-help")).ToContainTextAsync("will not be shown again");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
            await Expect(page.Locator("#signatures-state")).ToContainTextAsync("Signing secret created");
            var created = (await client.GetJsonAsync(SettingsPath(accountId))).Time("signingSecretCreatedUtc");
            await Expect(page.Locator("#signatures-state")).ToContainTextAsync(created.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(p.ScriptErrors);

            await p.GotoAsync("/portal/settings");
            await Expect(page.Locator("#signing-secret")).ToHaveCountAsync(0);
            Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret["whsec_".Length..], await page.ContentAsync(), StringComparison.Ordinal);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" })).ToBeVisibleAsync();

            await page.GetByLabel("Webhooks On?").CheckAsync();
            await page.GetByLabel("Webhook URL").FillAsync(url);
            await page.GetByLabel("Sign webhooks").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
            await Expect(page.Locator("#signatures-state")).ToContainTextAsync("Signing is on");
            await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
            var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
            Assert.True(StandardWebhooksVerifier.Verify(secret, received.Headers, received.Body), "the secret shown verifies the webhook");

            await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
            var rotated = await page.GetByLabel("Your new signing secret").InputValueAsync();
            Assert.NotEqual(secret, rotated);
            await Expect(page.Locator("#previous-secret")).ToContainTextAsync("previous secret also signs until");
            await p.ScreenshotAsync($"signing-secret-{mode}");
        });
    }
}

[Collection(PortalCollection.Memory)]
public sealed class PortalSignatureTestsInMemory(MemoryPortalFixture fixture) : PortalSignatureTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalSignatureTestsOnPostgres(PostgresPortalFixture fixture) : PortalSignatureTests(fixture, StorageMode.Postgres);
