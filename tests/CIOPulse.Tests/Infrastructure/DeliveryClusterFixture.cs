namespace CIOPulse.Tests.Infrastructure;

/// <summary>One single-silo delivery cluster and one receiver shared by a test collection.</summary>
public abstract class DeliveryClusterFixture(StorageMode mode) : StorageModeFixture(mode)
{
    public DeliveryCluster Cluster { get; private set; } = null!;

    protected override async Task StartAsync() => Cluster = await DeliveryCluster.StartAsync(mode: Mode);

    protected override async Task StopAsync() => await Cluster.DisposeAsync();
}

public sealed class MemoryDeliveryClusterFixture() : DeliveryClusterFixture(StorageMode.Memory);

public sealed class PostgresDeliveryClusterFixture() : DeliveryClusterFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class DeliveryClusterCollection : ICollectionFixture<MemoryDeliveryClusterFixture>
{
    public const string Memory = "delivery cluster (memory)";
    public const string Postgres = "delivery cluster (PostgreSQL)";
}

[CollectionDefinition(DeliveryClusterCollection.Postgres)]
public sealed class PostgresDeliveryClusterCollection : ICollectionFixture<PostgresDeliveryClusterFixture>;
