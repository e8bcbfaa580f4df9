using System.Net;
using System.Text.RegularExpressions;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// The Webhook Log and its detail in a real browser against a real node: live rows, the attempt
/// timeline, Resend, receiver text shown as text, filters, search, paging and isolation.
/// </summary>
public abstract class PortalLogTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    /// <summary>A Corporate account with an issued key, its webhooks going to a fresh receiver path that answers as <paramref name="script"/> says.</summary>
    private async Task<(string Id, string Key, string Path)> AccountAsync(Func<int, ReceiverResponse>? script = null)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path, script), username: "portal", password: "p4ss-" + accountId));
        return (accountId, key, path);
    }

    [Fact]
    public async Task A_webhook_to_a_failing_receiver_goes_from_In_Progress_to_Failed_on_the_open_page_and_its_detail_shows_five_classified_attempts()
    {
        var account = await AccountAsync(_ => new ReceiverResponse(503, "{\"error\":\"Service Unavailable\",\"detail\":\"ServiceNow instance is hibernating\"}"));
        await using var portal = await fixture.OpenAsync(Name("failing-live"), new() { Permissions = ["clipboard-read", "clipboard-write"] });
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(account.Key);
            await p.WaitForLiveAsync();
            await p.MarkDocumentAsync();

            var webhookId = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));

            // Attempts are a second apart, so the row is In Progress for about four seconds.
            await Expect(p.Cell(webhookId, "status")).ToHaveTextAsync(new Regex("In Progress"));
            await Expect(p.Cell(webhookId, "status")).ToHaveTextAsync(new Regex("Failed"));
            await Expect(p.Cell(webhookId, "attempts")).ToHaveTextAsync("5");
            await Expect(p.Cell(webhookId, "lastResponseCode")).ToHaveTextAsync("503");
            await Expect(p.Cell(webhookId, "lastResponse")).ToContainTextAsync("ServiceNow instance is hibernating");
            await p.AssertNotReloadedAsync();
            await Expect(p.Page.Locator("#paging-status")).ToHaveTextAsync("1 new webhook since the page opened, at the top");
            await Expect(p.Page.Locator("#log-table thead th")).ToHaveTextAsync(
            [
                "Listening Post", "Webhook ID", "Last Activity Date (GMT)", "Last Response HTTP Code", "Last Response",
                "Number of Attempts", "Status", "Open",
            ]);
            await p.ScreenshotAsync($"log-live-{mode}");

            await p.Row(webhookId).GetByRole(AriaRole.Link, new() { Name = $"Open webhook {webhookId}" }).ClickAsync();
            await Expect(p.Page).ToHaveURLAsync(new Regex($"/portal/log/{webhookId}$"));
            var attempts = p.Page.Locator("#attempts > li");
            await Expect(attempts).ToHaveCountAsync(5);
            for (var number = 1; number <= 5; number++)
            {
                var attempt = p.Page.Locator($"#attempt-{number}");
                await Expect(attempt.Locator(".attempt-outcome")).ToHaveTextAsync("✕ HTTP 503 (5xx: the receiver failed)");
                await Expect(attempt.Locator(".attempt-code")).ToHaveTextAsync("503");
            }

            await Expect(p.Page.Locator("#attempt-5 .response-body")).ToHaveTextAsync("{\"error\":\"Service Unavailable\",\"detail\":\"ServiceNow instance is hibernating\"}");
            await Expect(p.Page.Locator("#next-attempt")).ToContainTextAsync("None");
            using var api = fixture.App.CreateClient(account.Key);
            var payload = await api.GetJsonAsync(EntryPath(account.Id, webhookId));
            await Expect(p.Page.Locator("#payload-raw")).ToHaveTextAsync(payload.Text("payload"));
            await Expect(p.Page.Locator("#payload-pretty")).ToContainTextAsync($"\"Webhook_ID\": \"{webhookId}\",\n");
            await p.ScreenshotAsync($"detail-{mode}");

            // Raw shows the exact text instead of the formatted one; Copy puts the exact text on the clipboard.
            await Expect(p.Page.Locator("#payload-raw")).ToBeHiddenAsync();
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Raw" }).ClickAsync();
            await Expect(p.Page.Locator("#payload-raw")).ToBeVisibleAsync();
            await Expect(p.Page.Locator("#payload-pretty")).ToBeHiddenAsync();
            await Expect(p.Page.GetByRole(AriaRole.Button, new() { Name = "Pretty" })).ToHaveAttributeAsync("aria-pressed", "true");
            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
            await Expect(p.Page.Locator("#payload-copied")).ToHaveTextAsync("Copied the exact payload.");
            Assert.Equal(payload.Text("payload"), await p.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        });
    }

    [Fact]
    public async Task Resend_after_the_receiver_recovers_shows_the_new_attempt_and_Succeeded_without_a_reload()
    {
        var account = await AccountAsync(_ => ReceiverResponse.Fail(500, "down for maintenance"));
        using var client = fixture.App.CreateClient(account.Key);
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));
        await client.WaitForStatusAsync(account.Id, webhookId, "Failed");

        // Healthy again, but slow enough that the resent attempt lands after the click, while the page
        // is open; well inside the 2 s attempt timeout (1.5 s left only 0.5 s for a loaded CI machine).
        fixture.Receiver.Script(account.Path, _ => new ReceiverResponse(200, "accepted", TimeSpan.FromMilliseconds(500)));
        await using var portal = await fixture.OpenAsync(Name("resend"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(account.Key);
            await p.GotoAsync($"/portal/log/{webhookId}");
            await Expect(p.Page.Locator(".summary .status")).ToHaveTextAsync(new Regex("Failed"));

            await p.Page.GetByRole(AriaRole.Button, new() { Name = "Resend webhook" }).ClickAsync();
            await Expect(p.Page.Locator("#resent-notice")).ToBeVisibleAsync();
            await p.MarkDocumentAsync();

            await Expect(p.Page.Locator("#attempt-6 .attempt-outcome")).ToHaveTextAsync("✓ Delivered (HTTP 200)");
            await Expect(p.Page.Locator(".summary .status")).ToHaveTextAsync(new Regex("Succeeded"));
            await Expect(p.Page.Locator("#attempt-count")).ToHaveTextAsync("6");
            await p.AssertNotReloadedAsync();
        });
    }

    [Fact]
    public async Task Markup_in_a_receiver_s_answer_is_shown_as_text_and_never_runs()
    {
        const string Hostile = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"><b>bold</b>";
        var account = await AccountAsync(_ => ReceiverResponse.Fail(500, Hostile));
        using var client = fixture.App.CreateClient(account.Key);
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));
        await client.WaitForEntryAsync(account.Id, webhookId, entry => entry.GetProperty("attempts").GetInt32() >= 1);

        await using var portal = await fixture.OpenAsync(Name("hostile-text"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(account.Key);
            await Expect(p.Cell(webhookId, "lastResponse")).ToContainTextAsync("<script>window.__pwned=1</script>");

            await p.GotoAsync($"/portal/log/{webhookId}");
            await Expect(p.Page.Locator("#attempt-1 .response-body")).ToHaveTextAsync(Hostile);
            foreach (var path in new[] { "/portal/log", $"/portal/log/{webhookId}" })
            {
                await p.GotoAsync(path);
                await p.Page.WaitForTimeoutAsync(300);
                Assert.Null(await p.Page.EvaluateAsync<int?>("() => window.__pwned ?? null"));
                await Expect(p.Page.Locator("main img")).ToHaveCountAsync(0);
                await Expect(p.Page.Locator("main b")).ToHaveCountAsync(0);
            }
        });
    }

    [Fact]
    public async Task Filters_and_search_are_kept_in_the_URL_and_narrow_the_rows_and_the_chart_counts_the_attempts()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "ok"))));
        var transactionalResponse = NewResponseId();
        var transactional = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(transactionalResponse));
        var relationship = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId(), "Relationship"));
        var both = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(transactionalResponse, "Relationship"));
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "failing"), _ => ReceiverResponse.Fail())));
        var failed = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        foreach (var id in new[] { transactional, relationship, both })
        {
            await client.WaitForStatusAsync(accountId, id, "Succeeded");
        }

        await client.WaitForStatusAsync(accountId, failed, "Failed");

        await using var portal = await fixture.OpenAsync(Name("filters"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key);
            await Expect(page.Locator("#log-rows tr")).ToHaveCountAsync(4);
            await Expect(page.Locator(".chart-summary")).ToHaveTextAsync("Last 24 hours: 8 attempts, 3 succeeded, 5 failed.");
            // One bar each, or two if the attempts straddled the turn of an hour.
            Assert.InRange(await page.Locator("svg.chart rect.bar-succeeded").CountAsync(), 1, 2);
            Assert.InRange(await page.Locator("svg.chart rect.bar-failed-hatched").CountAsync(), 1, 2);
            await p.ScreenshotAsync($"log-{mode}");

            await page.GetByLabel("Status").SelectOptionAsync("Failed");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("[?&]status=Failed"));
            await AssertRowsAsync(page, failed);

            await page.GetByLabel("Status").SelectOptionAsync("");
            await page.GetByLabel("Listening Post").SelectOptionAsync("Relationship");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("[?&]listeningPost=Relationship"));
            await AssertRowsAsync(page, both, relationship);

            await page.GetByLabel("Listening Post").SelectOptionAsync("");
            await page.GetByLabel("Webhook ID or Response ID").FillAsync(transactionalResponse);
            await page.GetByLabel("Webhook ID or Response ID").PressAsync("Enter");
            await Expect(page).ToHaveURLAsync(new Regex($"[?&]search={transactionalResponse}"));
            await AssertRowsAsync(page, both, transactional);

            await page.GetByLabel("Webhook ID or Response ID").FillAsync(relationship);
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
            await AssertRowsAsync(page, relationship);

            // A shared link opens the same view, with the filters shown as set.
            await p.GotoAsync($"/portal/log?status=Succeeded&listeningPost=Relationship&search={transactionalResponse}");
            await AssertRowsAsync(page, both);
            await Expect(page.GetByLabel("Status")).ToHaveValueAsync("Succeeded");
            await Expect(page.GetByLabel("Listening Post")).ToHaveValueAsync("Relationship");
            await Expect(page.GetByLabel("Webhook ID or Response ID")).ToHaveValueAsync(transactionalResponse);

            await page.GetByRole(AriaRole.Link, new() { Name = "Clear filters" }).ClickAsync();
            await Expect(page.Locator("#log-rows tr")).ToHaveCountAsync(4);

            var refused = await p.GotoAsync("/portal/log?status=Sideways");
            Assert.Equal((int)HttpStatusCode.BadRequest, refused!.Status);
            await Expect(page.Locator("#filter-error")).ToContainTextAsync("status: must be InProgress, Succeeded or Failed.");
        });
    }

    [Fact]
    public async Task Paging_shows_each_webhook_once_and_says_which_rows_are_shown()
    {
        var account = await AccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var posted = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            posted.Add(await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId())));
        }

        foreach (var id in posted)
        {
            await client.WaitForStatusAsync(account.Id, id, "Succeeded");
        }

        await using var portal = await fixture.OpenAsync(Name("paging"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(account.Key);
            await p.GotoAsync("/portal/log?limit=3");
            var seen = new List<string>();
            var pages = new List<IReadOnlyList<string>>();
            string[] expectedStatus = ["Page 1 · webhooks 1–3", "Page 2 · webhooks 4–6", "Page 3 · webhooks 7–7 of 7"];
            for (var number = 0; number < expectedStatus.Length; number++)
            {
                await Expect(page.Locator("#paging-status")).ToContainTextAsync(expectedStatus[number]);
                var ids = await RowIdsAsync(page);
                pages.Add(ids);
                seen.AddRange(ids);
                if (number < expectedStatus.Length - 1)
                {
                    await page.GetByRole(AriaRole.Link, new() { Name = "Older →" }).ClickAsync();
                }
            }

            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Older →" })).ToHaveCountAsync(0);
            Assert.Equal(posted.Order(), seen.Order());

            await page.GetByRole(AriaRole.Link, new() { Name = "← Newer" }).ClickAsync();
            await Expect(page.Locator("#paging-status")).ToContainTextAsync("Page 2 · webhooks 4–6");
            Assert.Equal(pages[1], await RowIdsAsync(page));
            await page.GetByRole(AriaRole.Link, new() { Name = "← Newer" }).ClickAsync();
            await Expect(page.Locator("#paging-status")).ToContainTextAsync("Page 1 · webhooks 1–3");
            Assert.Equal(pages[0], await RowIdsAsync(page));
        });
    }

    [Fact]
    public async Task A_webhook_posted_while_the_first_page_is_open_appears_at_the_top_without_a_reload()
    {
        var account = await AccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var older = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));
        await client.WaitForStatusAsync(account.Id, older, "Succeeded");

        await using var portal = await fixture.OpenAsync(Name("new-row"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(account.Key);
            await p.WaitForLiveAsync();
            await p.MarkDocumentAsync();
            var fresh = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));

            await Expect(p.Cell(fresh, "status")).ToHaveTextAsync(new Regex("Succeeded"));
            Assert.Equal([fresh, older], await RowIdsAsync(p.Page));
            await Expect(p.Cell(fresh, "lastResponse")).ToHaveTextAsync("ok");
            await p.AssertNotReloadedAsync();
        });
    }

    [Fact]
    public async Task Another_account_s_webhook_is_not_found_and_shows_nothing_of_it()
    {
        var mine = await AccountAsync();
        var theirs = await AccountAsync();
        var theirResponse = NewResponseId();
        var theirWebhook = await fixture.App.PostAcceptedCompletionAsync(theirs.Id, Completion(theirResponse));

        await using var portal = await fixture.OpenAsync(Name("isolation"));
        await portal.RunAsync(async p =>
        {
            await p.SignInAsync(mine.Key);
            foreach (var id in new[] { theirWebhook, "0000000000000", "not-a-webhook-id" })
            {
                var response = await p.GotoAsync($"/portal/log/{id}");
                Assert.Equal((int)HttpStatusCode.NotFound, response!.Status);
                await Expect(p.Page.GetByRole(AriaRole.Heading, new() { Name = "Webhook not found" })).ToBeVisibleAsync();
                Assert.DoesNotContain(theirResponse, await p.Page.ContentAsync(), StringComparison.Ordinal);
            }

            await p.GotoAsync($"/portal/log?search={theirWebhook}");
            await Expect(p.Page.Locator("#log-rows tr")).ToHaveCountAsync(0);
        });
    }

    private static async Task AssertRowsAsync(IPage page, params string[] webhookIds)
    {
        await Expect(page.Locator("#log-rows tr")).ToHaveCountAsync(webhookIds.Length);
        Assert.Equal(webhookIds.Order(), (await RowIdsAsync(page)).Order());
    }

    private static async Task<IReadOnlyList<string>> RowIdsAsync(IPage page) =>
        [.. (await page.Locator("#log-rows tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.webhookId)"))];
}

[Collection(PortalCollection.Memory)]
public sealed class PortalLogTestsInMemory(MemoryPortalFixture fixture) : PortalLogTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalLogTestsOnPostgres(PostgresPortalFixture fixture) : PortalLogTests(fixture, StorageMode.Postgres);
