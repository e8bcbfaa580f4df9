namespace CIOPulse.Tests.Infrastructure;

/// <summary>One running node (in the fixture's storage mode) and one receiver shared by a test collection.</summary>
public abstract class SiloAppFixture(StorageMode mode) : IAsyncLifetime
{
    private TestDatabase? _database;

    public SiloApp App { get; private set; } = null!;

    public TestReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await TestReceiver.StartAsync();
        if (mode == StorageMode.Postgres)
        {
            _database = await TestDatabase.CreateAsync(migrate: false);
            App = await SiloApp.StartAsync(SiloApp.PostgresSettings(_database.ConnectionString));
        }
        else
        {
            App = await SiloApp.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}

public sealed class MemorySiloAppFixture() : SiloAppFixture(StorageMode.Memory);

public sealed class PostgresSiloAppFixture() : SiloAppFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class SiloAppCollection : ICollectionFixture<MemorySiloAppFixture>
{
    public const string Memory = "silo app (memory)";
    public const string Postgres = "silo app (PostgreSQL)";
}

[CollectionDefinition(SiloAppCollection.Postgres)]
public sealed class PostgresSiloAppCollection : ICollectionFixture<PostgresSiloAppFixture>;
