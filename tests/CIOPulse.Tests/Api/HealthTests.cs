using System.Net;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// SPEC §4: liveness and readiness answer anyone. Both answer JSON: the overall status and, for
/// readiness, each check with its status, duration and description — the cluster always, and on
/// PostgreSQL the database and the group commit's backlog.
/// </summary>
public abstract class HealthTests(SiloAppFixture fixture)
{
    protected abstract string[] ReadyChecks { get; }

    [Fact]
    public async Task Liveness_answers_200_without_a_key_and_runs_no_check()
    {
        using var client = fixture.App.CreateClient(apiKey: null);

        using var response = await client.GetAsync("health/live");

        await AssertStatusAsync(response, HttpStatusCode.OK);
        var report = await ReadJsonAsync(response);
        Assert.Equal("Healthy", report.Text("status"));
        Assert.Empty(report.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task Readiness_answers_200_without_a_key_with_each_check_its_status_and_duration()
    {
        using var client = fixture.App.CreateClient(apiKey: null);

        using var response = await client.GetAsync("health/ready");

        await AssertStatusAsync(response, HttpStatusCode.OK);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var report = await ReadJsonAsync(response);
        Assert.Equal("Healthy", report.Text("status"));
        Assert.True(report.GetProperty("durationMs").GetDouble() >= 0);
        var checks = report.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value);
        Assert.Equal(ReadyChecks.Order(), checks.Keys.Order());
        foreach (var (name, check) in checks)
        {
            Assert.Equal("Healthy", check.Text("status"));
            Assert.Equal(JsonValueKind.Number, check.GetProperty("durationMs").ValueKind);
            Assert.False(string.IsNullOrEmpty(check.Text("description")), $"{name} has no description");
        }
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class HealthTestsInMemory(MemorySiloAppFixture fixture) : HealthTests(fixture)
{
    protected override string[] ReadyChecks => ["cluster"];
}

[Collection(SiloAppCollection.Postgres)]
public sealed class HealthTestsOnPostgres(PostgresSiloAppFixture fixture) : HealthTests(fixture)
{
    protected override string[] ReadyChecks => ["cluster", "postgres", "group-commit"];
}
