using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// One browser context on the portal, as one person at one browser: the page, sign-in, and the
/// checks portal tests share. <see cref="RunAsync"/> keeps a Playwright trace and a screenshot of a
/// failing test in <c>TestResults/portal/</c>; <see cref="ScreenshotAsync"/> writes the screenshots
/// of passing tests to <c>TestResults/portal/screenshots/</c> (the README shows some of them).
/// </summary>
public sealed class PortalSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly string _testName;

    private PortalSession(IBrowserContext context, IPage page, Uri baseUri, string testName)
    {
        _context = context;
        Page = page;
        BaseUri = baseUri;
        _testName = testName;
    }

    public IPage Page { get; }

    public Uri BaseUri { get; }

    /// <summary>Errors the page's script reported (uncaught exceptions, console errors).</summary>
    public List<string> ScriptErrors { get; } = [];

    public static string ArtifactsDirectory { get; } = Path.Combine(RepositoryPaths.Root, "TestResults", "portal");

    public static async Task<PortalSession> OpenAsync(IBrowser browser, Uri baseUri, string testName, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = baseUri.ToString();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 900 };
        var context = await browser.NewContextAsync(options);
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true, Title = testName });
        var page = await context.NewPageAsync();
        var session = new PortalSession(context, page, baseUri, testName);
        page.PageError += (_, error) => session.ScriptErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("Failed to load resource", StringComparison.Ordinal))
            {
                session.ScriptErrors.Add(message.Text);
            }
        };
        return session;
    }

    /// <summary>Runs the test's steps; on failure keeps the trace and a screenshot, then fails the test.</summary>
    public async Task RunAsync(Func<PortalSession, Task> steps)
    {
        try
        {
            await steps(this);
            Assert.Empty(ScriptErrors);
            await _context.Tracing.StopAsync();
        }
        catch
        {
            Directory.CreateDirectory(ArtifactsDirectory);
            var stem = Path.Combine(ArtifactsDirectory, _testName);
            try
            {
                await Page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".failure.png", FullPage = true });
                await _context.Tracing.StopAsync(new TracingStopOptions { Path = stem + ".trace.zip" });
            }
            catch (PlaywrightException)
            {
                // The browser went away with the failure; the test's own error says more.
            }

            throw;
        }
    }

    public Task<IResponse?> GotoAsync(string path) => Page.GotoAsync(path);

    /// <summary>Signs in through the form and waits for the page it leads to.</summary>
    public async Task SignInAsync(string key, string? accountId = null)
    {
        await GotoAsync("/portal/sign-in");
        await Page.GetByLabel("API key").FillAsync(key);
        if (accountId is not null)
        {
            await Page.GetByLabel("Account ID").FillAsync(accountId);
        }

        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/portal/log"));
    }

    /// <summary>Waits until the page's live stream is connected (so changes from now on are pushed to it).</summary>
    public Task WaitForLiveAsync() => Expect(Page.Locator("#live")).ToHaveAttributeAsync("data-state", "live");

    /// <summary>Marks the loaded document, so <see cref="AssertNotReloadedAsync"/> can tell it was not loaded again.</summary>
    public Task MarkDocumentAsync() => Page.EvaluateAsync("() => { window.__portalTestMark = 'kept'; }");

    public async Task AssertNotReloadedAsync() =>
        Assert.Equal("kept", await Page.EvaluateAsync<string?>("() => window.__portalTestMark ?? null"));

    public ILocator Row(string webhookId) => Page.Locator($"#row-{webhookId}");

    public ILocator Cell(string webhookId, string column) => Row(webhookId).Locator($"[data-col=\"{column}\"]");

    public async Task ScreenshotAsync(string name)
    {
        var directory = Path.Combine(ArtifactsDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
