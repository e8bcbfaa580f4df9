using System.Text.RegularExpressions;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// "Resend in bulk" in a real browser: from the Webhook Log, the filter, the preview's count, Confirm
/// (a form with antiforgery), and the progress page counting up to every webhook done without a reload;
/// a bad window is shown next to its field.
/// </summary>
public abstract class PortalBulkResendTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    [Fact]
    public async Task Filter_preview_shows_the_count_confirm_starts_it_and_the_progress_page_reaches_every_webhook_done()
    {
        const int count = 6;
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var failingPath = ReceiverPathFor(accountId, "failing");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(failingPath, _ => ReceiverResponse.Fail(503, "down"))));
        var webhooks = new List<string>();
        for (var i = 0; i < count; i++)
        {
            webhooks.Add(await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())));
        }

        using var client = fixture.App.CreateClient(key);
        foreach (var id in webhooks)
        {
            await client.WaitForStatusAsync(accountId, id, "Failed");
        }

        var recoveredPath = ReceiverPathFor(accountId, "recovered");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(recoveredPath)));

        await using var portal = await fixture.OpenAsync(Name("bulk-resend"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(key);
            await p.ScreenshotAsync($"bulk-resend-log-link-{mode}");
            await p.Page.GetByRole(AriaRole.Link, new() { Name = "Resend in bulk" }).ClickAsync();
            await Expect(p.Page).ToHaveURLAsync(new Regex("/portal/log/resend-batch$"));

            await p.Page.GetByLabel("Status").SelectOptionAsync("Failed");
            await p.Page.GetByLabel("Last Response HTTP Code").FillAsync("503");
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
            await Expect(p.Page.Locator("#preview-count")).ToHaveTextAsync($"{count} webhooks will be resent.");
            await p.ScreenshotAsync($"bulk-resend-preview-{mode}");

            await p.Page.GetByRole(AriaRole.Button, new() { Name = $"Confirm: resend {count}" }).ClickAsync();
            await Expect(p.Page).ToHaveURLAsync(new Regex("/portal/log/resend-batch/[0-9a-f]{24}$"));
            await p.MarkDocumentAsync();
            await Expect(p.Page.Locator("#bulk-status")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
            await Expect(p.Page.Locator("#bulk-done")).ToHaveTextAsync(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(p.Page.Locator("#bulk-total")).ToHaveTextAsync(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(p.Page.Locator("#bulk-succeeded")).ToHaveTextAsync(count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(p.Page.Locator("#bulk-failed")).ToHaveTextAsync("0");
            await Expect(p.Page.Locator("#bulk-cancel")).ToHaveCountAsync(0);
            await p.AssertNotReloadedAsync(); // the script brought the counts
            await p.ScreenshotAsync($"bulk-resend-progress-{mode}");
        });

        Assert.Equal(count, fixture.Receiver.RequestsTo(recoveredPath).Count);
        Assert.Equal(webhooks.Order(), fixture.Receiver.RequestsTo(recoveredPath).Select(r => r.WebhookId).Order());
    }

    [Fact]
    public async Task A_window_over_14_days_is_refused_next_to_its_field()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await using var portal = await fixture.OpenAsync(Name("bulk-resend-window"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(key);
            await p.GotoAsync("/portal/log/resend-batch");
            await p.Page.GetByLabel("Last activity from (GMT)").FillAsync("2026-01-01T00:00");
            await p.Page.GetByLabel("Until (GMT, at most 14 days later)").FillAsync("2026-01-20T00:00");
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();

            await Expect(p.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("until: must be at most 14 days after lastActivityFrom.");
            await Expect(p.Page.GetByLabel("Until (GMT, at most 14 days later)")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(p.Page.Locator("#preview-count")).ToHaveCountAsync(0);
        });
    }
}

[Collection(PortalCollection.Memory)]
public sealed class PortalBulkResendTestsInMemory(MemoryPortalFixture fixture) : PortalBulkResendTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalBulkResendTestsOnPostgres(PostgresPortalFixture fixture) : PortalBulkResendTests(fixture, StorageMode.Postgres);
