using System.Net;
using System.Text.RegularExpressions;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// Who gets into the portal and what they see: sign-in with an account key (and its cookie), a
/// wrong key, sign-out, the system key's operator view, and the headers every portal page carries.
/// </summary>
public abstract class PortalAccessTests(PortalFixture fixture, StorageMode mode)
{
    private string Name(string test) => $"{test}-{mode}";

    [Fact]
    public async Task An_account_key_opens_the_account_through_a_strict_HttpOnly_cookie_and_signing_out_ends_the_session()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);

        await using var portal = await fixture.OpenAsync(Name("sign-in"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.GotoAsync("/portal/settings");
            await Expect(page).ToHaveURLAsync(new Regex("/portal/sign-in\\?returnUrl=%2Fportal%2Fsettings$"));
            await Expect(page).ToHaveTitleAsync("Sign in · CIOPulse Portal");

            await page.GetByLabel("API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/portal/settings$"));
            await Expect(page.Locator(".who")).ToContainTextAsync("Account " + accountId);
            await Expect(page).ToHaveTitleAsync("Integration settings · CIOPulse Portal");

            var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "ciopulse.portal");
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
            Assert.False(cookie.Secure); // plain HTTP on loopback; over HTTPS it is Secure
            Assert.Equal("/portal", cookie.Path);
            Assert.DoesNotContain(key, cookie.Value, StringComparison.Ordinal);
            Assert.DoesNotContain(key, page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page.Locator(".notice")).ToHaveTextAsync("You are signed out.");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ciopulse.portal");
            await p.GotoAsync("/portal/log");
            await Expect(page).ToHaveURLAsync(new Regex("/portal/sign-in"));
        });
    }

    [Theory]
    [InlineData("unissued")]
    [InlineData("garbage")]
    [InlineData("system-key-without-account")]
    public async Task A_wrong_key_gets_a_clear_message_and_no_data(string kind)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var presented = kind switch
        {
            "unissued" => UnissuedKeyFor(accountId),
            "garbage" => "not a key at all <b>",
            _ => SiloApp.SystemKey,
        };

        await using var portal = await fixture.OpenAsync(Name("wrong-key-" + kind));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.GotoAsync("/portal/sign-in");
            await page.GetByLabel("API key").FillAsync(presented);
            var response = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
                r => r.Request.Method == "POST");

            Assert.Equal((int)HttpStatusCode.Unauthorized, response.Status);
            await Expect(page.Locator("#sign-in-error")).ToHaveTextAsync(kind == "system-key-without-account"
                ? "With the system key, also enter the ID of the account to open."
                : "That key was not accepted. Check that you copied the whole key and try again.");
            await Expect(page.GetByLabel("API key")).ToHaveValueAsync("");
            await Expect(page.Locator("table, .who, nav.menu")).ToHaveCountAsync(0);
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "ciopulse.portal");
        });
    }

    [Fact]
    public async Task The_system_key_opens_any_account_in_an_operator_view_that_says_so_on_every_page()
    {
        var first = await fixture.App.CreateAccountAsync();
        var second = await fixture.App.CreateAccountAsync();
        await fixture.App.SetSettingsAsync(first, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(first))));
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(first, Completion(NewResponseId()));

        await using var portal = await fixture.OpenAsync(Name("operator"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(SiloApp.SystemKey, first);
            foreach (var path in new[] { "/portal/log", "/portal/settings", $"/portal/log/{webhookId}" })
            {
                await p.GotoAsync(path);
                await Expect(page.Locator(".operator-banner")).ToContainTextAsync($"Operator view. You signed in with the system key: you are seeing account {first}");
            }

            await page.GetByLabel("Open another account").FillAsync(second);
            await page.GetByRole(AriaRole.Button, new() { Name = "Open", Exact = true }).ClickAsync();
            await Expect(page.Locator(".operator-banner")).ToContainTextAsync($"you are seeing account {second}");
            await Expect(page.Locator(".who")).ToContainTextAsync(second);

            await page.GetByLabel("Open another account").FillAsync("no-such-account");
            await page.GetByRole(AriaRole.Button, new() { Name = "Open", Exact = true }).ClickAsync();
            await Expect(page.Locator(".error-summary")).ToHaveTextAsync("There is no account 'no-such-account'.");
        });
    }

    [Fact]
    public async Task An_account_key_session_cannot_open_other_accounts()
    {
        var mine = await fixture.App.CreateAccountAsync();
        var other = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(mine);

        await using var portal = await fixture.OpenAsync(Name("not-operator"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            await p.SignInAsync(key, other);
            await Expect(page.Locator(".who")).ToContainTextAsync(mine);
            await Expect(page.Locator(".operator-banner")).ToHaveCountAsync(0);

            // The switch is the operator's only: posted by hand (with a valid form token) it is refused.
            var token = await page.EvaluateAsync<string>("() => document.querySelector('input[name=__RequestVerificationToken]').value");
            var response = await page.APIRequest.PostAsync("/portal/operator", new() { Form = page.APIRequest.CreateFormData().Set("accountId", other).Set("__RequestVerificationToken", token) });
            Assert.Equal((int)HttpStatusCode.Forbidden, response.Status);
            await p.GotoAsync("/portal/log");
            await Expect(page.Locator(".who")).ToContainTextAsync(mine);
        });
    }

    [Fact]
    public async Task Every_screen_has_its_language_a_title_and_a_name_for_every_control()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        await using var portal = await fixture.OpenAsync(Name("accessibility"));
        await portal.RunAsync(async p =>
        {
            var page = p.Page;
            var titles = new List<string>();
            await p.GotoAsync("/portal/sign-in");
            await CheckScreenAsync();
            await p.SignInAsync(SiloApp.SystemKey, accountId);
            foreach (var path in new[] { "/portal/log", "/portal/settings", $"/portal/log/{webhookId}", "/portal/log/0000000000000" })
            {
                await p.GotoAsync(path);
                await CheckScreenAsync();
            }

            Assert.Equal(titles.Count, titles.Distinct().Count());

            async Task CheckScreenAsync()
            {
                Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
                var title = await page.TitleAsync();
                Assert.EndsWith(" · CIOPulse Portal", title, StringComparison.Ordinal);
                titles.Add(title);
                await Expect(page.Locator("h1")).ToHaveCountAsync(1);
                var unnamed = await page.EvaluateAsync<string[]>(
                    """
                    () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
                        .filter(el => el.offsetParent !== null || el.closest('details'))
                        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
                        .map(el => el.outerHTML.slice(0, 80))
                    """);
                Assert.Empty(unnamed);
                var headersWithoutScope = await page.Locator("thead th:not([scope=col])").CountAsync();
                Assert.Equal(0, headersWithoutScope);
            }
        });
    }

    [Fact]
    public async Task Portal_pages_carry_security_headers_and_forms_refuse_posts_without_their_token()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.App.BaseUri };

        foreach (var path in new[] { "/portal/sign-in", "/portal/log", "/portal/no-such-page" })
        {
            using var response = await http.GetAsync(path);
            var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.True(response.Headers.CacheControl?.NoStore, path + " may be cached");
        }

        using (var unknown = await http.GetAsync("/portal/no-such-page"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("text/html", unknown.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Page not found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var noToken = await http.PostAsync("/portal/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
            Assert.DoesNotContain("set-cookie", noToken.Headers.Select(h => h.Key.ToLowerInvariant()));
        }

        using (var live = await http.GetAsync("/portal/live"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
        }

        using var script = await http.GetAsync((await http.GetStringAsync("/portal/sign-in")) is var html
            && Regex.Match(html, "src=\"(/portal/assets/portal\\.js\\?v=[0-9a-f]+)\"") is { Success: true } match ? match.Groups[1].Value : "/missing");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True(script.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(300));
    }
}

[Collection(PortalCollection.Memory)]
public sealed class PortalAccessTestsInMemory(MemoryPortalFixture fixture) : PortalAccessTests(fixture, StorageMode.Memory);

[Collection(PortalCollection.Postgres)]
public sealed class PortalAccessTestsOnPostgres(PostgresPortalFixture fixture) : PortalAccessTests(fixture, StorageMode.Postgres);
