using CIOPulse.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CIOPulse.Tests.Portal;

/// <summary>
/// A running node (in the fixture's storage mode), a receiver, and one headless Chromium shared by a
/// collection of portal tests; each test opens its own browser context (<see cref="OpenAsync"/>).
/// </summary>
public abstract class PortalFixture(StorageMode mode) : SiloAppFixture(mode)
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
        Assertions.SetDefaultExpectTimeout(15_000);
    }

    /// <summary>A fresh browser context (no cookies) on this fixture's node, recording a trace.</summary>
    public Task<PortalSession> OpenAsync(string testName, BrowserNewContextOptions? options = null) =>
        PortalSession.OpenAsync(Browser, App.BaseUri, testName, options);

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}

public sealed class MemoryPortalFixture() : PortalFixture(StorageMode.Memory);

public sealed class PostgresPortalFixture() : PortalFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class PortalCollection : ICollectionFixture<MemoryPortalFixture>
{
    public const string Memory = "portal (memory)";
    public const string Postgres = "portal (PostgreSQL)";
}

[CollectionDefinition(PortalCollection.Postgres)]
public sealed class PostgresPortalCollection : ICollectionFixture<PostgresPortalFixture>;
