using System.Net;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4: liveness and readiness answer anyone.</summary>
public abstract class HealthTests(SiloAppFixture fixture)
{
    [Theory]
    [InlineData("health/live")]
    [InlineData("health/ready")]
    public async Task Health_endpoints_answer_200_without_a_key(string path)
    {
        using var client = fixture.App.CreateClient(apiKey: null);

        using var response = await client.GetAsync(path);

        await AssertStatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class HealthTestsInMemory(MemorySiloAppFixture fixture) : HealthTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class HealthTestsOnPostgres(PostgresSiloAppFixture fixture) : HealthTests(fixture);
