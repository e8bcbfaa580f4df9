using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// "Send test" in a real browser: the button next to Save sends the sample survey to the saved
/// settings and the page shows the outcome as text; the test webhook carries a Test badge in the
/// Webhook Log (also when a live page receives its row) and its detail says "Test webhook".
/// </summary>
public abstract class PortalTestWebhookTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    [Fact]
    public async Task Send_test_shows_the_outcome_and_the_test_webhook_is_badged_Test_in_the_log_and_its_detail()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        // Webhooks stay off: a test is how the administrator tries the URL before going live.
        await fixture.App.SetSettingsAsync(accountId, Settings(
            fixture.Receiver.UrlFor(path, attempt => attempt == 1 ? new ReceiverResponse(500, "<b>receiver down</b>") : ReceiverResponse.Ok), enabled: false));

        await using var portal = await fixture.OpenAsync(Name("send-test"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/settings");
            await Expect(page.Locator("#test-help")).ToContainTextAsync("saved settings");

            await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();

            var result = page.Locator("#test-result");
            await Expect(result.GetByRole(AriaRole.Heading)).ToHaveTextAsync("✕ Test webhook failed");
            await Expect(page.Locator("#test-status")).ToHaveTextAsync("Failed");
            await Expect(page.Locator("#test-code")).ToHaveTextAsync("500");
            await Expect(page.Locator("#test-failure")).ToHaveTextAsync("HttpServerError");
            await Expect(page.Locator("#test-duration")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[\d,]+ ms$"));
            // The receiver's answer is text, not markup.
            await Expect(page.Locator("#test-response")).ToHaveTextAsync("<b>receiver down</b>");
            Assert.Equal(0, await result.Locator("b").CountAsync());
            var received = Assert.Single(fixture.Receiver.RequestsTo(path));
            var webhookId = received.WebhookId!;
            await Expect(page.Locator("#test-link")).ToContainTextAsync(webhookId);
            await Expect(page.GetByLabel("Webhooks On?")).Not.ToBeCheckedAsync();
            await p.ScreenshotAsync($"settings-test-result-{mode}");

            await page.Locator("#test-link").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync($"Test webhook {webhookId}");
            await Expect(page.Locator("#test-notice")).ToContainTextAsync("one automatic attempt only");
            await Expect(page.Locator("#attempt-count")).ToHaveTextAsync("1");
            await p.ScreenshotAsync($"detail-test-{mode}");

            // A survey's webhook beside it has no badge.
            await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
            var surveyWebhook = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
            await fixture.App.CreateClient(key).WaitForStatusAsync(accountId, surveyWebhook, "Succeeded");
            await p.GotoAsync("/portal/log");
            await Expect(p.Cell(webhookId, "webhookId").Locator(".badge-test")).ToBeVisibleAsync();
            await Expect(p.Cell(webhookId, "webhookId").Locator(".badge-test")).ToHaveTextAsync("Test");
            await Expect(p.Cell(surveyWebhook, "webhookId").Locator(".badge-test")).ToBeHiddenAsync();

            // A test sent while the log is open arrives live, badged.
            await p.WaitForLiveAsync();
            await p.MarkDocumentAsync();
            var live = await Api.TestWebhookTests.SendTestAsync(fixture.App.CreateClient(key), accountId);
            var liveId = live.GetProperty("webhookId").GetString()!;
            await Expect(p.Row(liveId)).ToBeVisibleAsync();
            await Expect(p.Cell(liveId, "webhookId").Locator(".badge-test")).ToBeVisibleAsync();
            await Expect(p.Cell(liveId, "status")).ToContainTextAsync("Succeeded");
            await p.AssertNotReloadedAsync();
            await p.ScreenshotAsync($"log-test-badge-{mode}");
        });
    }

    [Fact]
    public async Task Send_test_is_offered_only_with_a_saved_url_on_a_plan_with_webhooks()
    {
        var noUrl = await fixture.App.CreateAccountAsync();
        var standard = await fixture.App.CreateAccountAsync("Standard");
        await fixture.App.SetSettingsAsync(standard, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(standard)), enabled: false));

        await using var portal = await fixture.OpenAsync(Name("send-test-offered"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(await fixture.App.IssueKeyAsync(noUrl));
            await p.GotoAsync("/portal/settings");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send test" })).ToBeDisabledAsync();
            await Expect(page.Locator("#test-help")).ToContainTextAsync("needs a saved webhook URL");

            // Saving a URL (webhooks still off) offers the test.
            await page.GetByLabel("Webhook URL").FillAsync(fixture.Receiver.UrlFor(ReceiverPathFor(noUrl)));
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#saved-notice")).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send test" })).ToBeEnabledAsync();
        });

        await using var standardPortal = await fixture.OpenAsync(Name("send-test-standard"));
        await standardPortal.RunAsync(async p =>
        {
            await p.SignInAsync(await fixture.App.IssueKeyAsync(standard));
            await p.GotoAsync("/portal/settings");
            await Expect(p.Page.GetByRole(AriaRole.Button, new() { Name = "Send test" })).ToBeDisabledAsync();
            await Expect(p.Page.Locator("#test-help")).ToContainTextAsync("Corporate or Enterprise");
            Assert.Empty(fixture.Receiver.RequestsTo(ReceiverPathFor(standard)));
        });
    }
}

[Collection(PortalCollection.Memory)]
public sealed class PortalTestWebhookTestsInMemory(MemoryPortalFixture fixture) : PortalTestWebhookTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalTestWebhookTestsOnPostgres(PostgresPortalFixture fixture) : PortalTestWebhookTests(fixture, StorageMode.Postgres);
