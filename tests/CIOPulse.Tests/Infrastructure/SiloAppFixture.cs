using Microsoft.Extensions.DependencyInjection;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>One running node (in the fixture's storage mode) and one receiver shared by a test collection.</summary>
public abstract class SiloAppFixture(StorageMode mode) : StorageModeFixture(mode)
{
    private TestDatabase? _database;

    public SiloApp App { get; private set; } = null!;

    /// <summary>Configuration the node starts with, over <see cref="SiloApp"/>'s test defaults.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>();

    /// <summary>Registrations made before the product's own (see <see cref="SiloApp.StartAsync"/>).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected override async Task StartAsync()
    {
        var settings = new Dictionary<string, string>();
        if (Mode == StorageMode.Postgres)
        {
            _database = await TestDatabase.CreateAsync(migrate: false);
            settings = SiloApp.PostgresSettings(_database.ConnectionString);
        }

        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        App = await SiloApp.StartAsync(settings, services: ConfigureServices);
    }

    protected override async Task StopAsync()
    {
        await App.DisposeAsync();
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
