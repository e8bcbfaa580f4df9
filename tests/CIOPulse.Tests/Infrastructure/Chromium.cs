using Microsoft.Playwright;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The one place browser tests launch Chromium: Debian's package at <see cref="ExecutablePath"/>
/// (scripts/test.sh installs it), headless, without the sandbox (the tests may run as root) and
/// without the background traffic a closed network refuses. Playwright's own browser download is
/// never used.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: run the suite with ./scripts/test.sh, which installs Debian's chromium package.");
        }

        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });
    }
}
