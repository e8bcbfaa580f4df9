namespace CIOPulse.Tests.Infrastructure;

/// <summary>One single-silo delivery cluster and one receiver shared by a test collection.</summary>
public sealed class DeliveryClusterFixture : IAsyncLifetime
{
    public DeliveryCluster Cluster { get; private set; } = null!;

    public TestReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await TestReceiver.StartAsync();
        Cluster = await DeliveryCluster.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DeliveryClusterCollection : ICollectionFixture<DeliveryClusterFixture>
{
    public const string Name = "delivery cluster";
}
