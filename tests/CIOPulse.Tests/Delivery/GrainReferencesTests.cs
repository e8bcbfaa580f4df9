using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CIOPulse.Tests.Delivery;

/// <summary>The silo's <see cref="GrainReferences"/> against Orleans' own references, before and after it has cached a type.</summary>
[Collection(DeliveryClusterCollection.Memory)]
public sealed class GrainReferencesTests(MemoryDeliveryClusterFixture fixture)
{
    private GrainReferences References => fixture.Cluster.Cluster.Silos[0].ServiceProvider.GetRequiredService<GrainReferences>();

    [Fact]
    public async Task References_name_the_same_grain_as_the_grain_factory_and_reach_it()
    {
        var accountId = await fixture.Cluster.CreateAccountAsync("http://127.0.0.1:9/hook");
        var otherId = "a-" + Guid.NewGuid().ToString("N")[..12];

        // The first call for a type resolves it through Orleans; later calls build the id themselves.
        var first = References.Get<IAccountGrain>(accountId);
        var cached = References.Get<IAccountGrain>(otherId);

        foreach (var (reference, key) in new[] { (first, accountId), (cached, otherId) })
        {
            var expected = (GrainReference)fixture.Cluster.Client.GetGrain<IAccountGrain>(key);
            var actual = (GrainReference)reference;
            Assert.Equal(expected.GrainId, actual.GrainId);
            Assert.Equal(expected.InterfaceType, actual.InterfaceType);
        }

        Assert.Equal("Test account", (await References.Get<IAccountGrain>(accountId).Get())?.Name);
        Assert.Null(await cached.Get());
    }
}
