namespace CIOPulse.Tests.Infrastructure;

/// <summary>One running node and one receiver shared by a test collection.</summary>
public sealed class SiloAppFixture : IAsyncLifetime
{
    public SiloApp App { get; private set; } = null!;

    public TestReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await TestReceiver.StartAsync();
        App = await SiloApp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloAppCollection : ICollectionFixture<SiloAppFixture>
{
    public const string Name = "silo app";
}
