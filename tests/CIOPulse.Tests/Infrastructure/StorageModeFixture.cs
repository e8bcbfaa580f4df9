namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The shape of every collection fixture that runs in both storage modes: a loopback receiver and
/// the system under test in the fixture's mode, started once for the collection and stopped after it.
/// </summary>
public abstract class StorageModeFixture(StorageMode mode) : IAsyncLifetime
{
    public StorageMode Mode => mode;

    public TestReceiver Receiver { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Receiver = await TestReceiver.StartAsync();
        await StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await StopAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>Starts the system under test in <see cref="Mode"/>.</summary>
    protected abstract Task StartAsync();

    protected abstract Task StopAsync();
}
