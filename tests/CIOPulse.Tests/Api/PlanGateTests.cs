using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §3: only Corporate and Enterprise accounts may turn webhooks on.</summary>
public abstract class PlanGateTests(SiloAppFixture fixture)
{
    [Fact]
    public async Task Enabling_webhooks_on_a_Standard_account_gets_403_with_a_clear_detail()
    {
        var accountId = await fixture.App.CreateAccountAsync("Standard");
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        using var response = await client.PutSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("Corporate", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("Enterprise", Detail(problem), StringComparison.Ordinal);
        var settings = await client.GetJsonAsync(SettingsPath(accountId));
        Assert.False(settings.GetProperty("enabled").GetBoolean());
    }

    [Theory]
    [InlineData("Corporate")]
    [InlineData("Enterprise")]
    public async Task Corporate_and_Enterprise_accounts_may_enable_webhooks(string plan)
    {
        var accountId = await fixture.App.CreateAccountAsync(plan);
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        using var response = await client.PutSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));

        await AssertStatusAsync(response, HttpStatusCode.OK);
        Assert.True((await ReadJsonAsync(response)).GetProperty("enabled").GetBoolean());
        Assert.True((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("enabled").GetBoolean());
        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
    }

    [Fact]
    public async Task Downgrading_to_Standard_turns_webhooks_off_and_completions_answer_200_with_a_reason()
    {
        var accountId = await fixture.App.CreateAccountAsync("Corporate");
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        using var client = fixture.App.CreateClient();

        using var downgrade = await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Downgraded", ["plan"] = "Standard" });

        await AssertStatusAsync(downgrade, HttpStatusCode.OK);
        var account = await ReadJsonAsync(downgrade);
        Assert.Equal("Standard", account.Text("plan"));
        Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("enabled").GetBoolean());

        using var completion = await client.PostCompletionAsync(accountId, Completion(NewResponseId()));
        await AssertStatusAsync(completion, HttpStatusCode.OK);
        var answer = await ReadJsonAsync(completion);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("webhookId").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(answer.Text("reason")));
        Assert.Empty(await client.ReadWholeLogAsync(accountId));
        Assert.Empty(fixture.Receiver.RequestsTo(path));
    }

    [Fact]
    public async Task Upgrading_Corporate_to_Enterprise_keeps_webhooks_and_keys()
    {
        var accountId = await fixture.App.CreateAccountAsync("Corporate");
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));
        using var system = fixture.App.CreateClient();

        using var upgrade = await system.PutAccountAsync(accountId, new JsonObject { ["name"] = "Upgraded", ["plan"] = "Enterprise" });

        await AssertStatusAsync(upgrade, HttpStatusCode.OK);
        var account = await ReadJsonAsync(upgrade);
        Assert.Equal("Upgraded", account.Text("name"));
        Assert.Equal("Enterprise", account.Text("plan"));
        using var client = fixture.App.CreateClient(key);
        Assert.True((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("enabled").GetBoolean());
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class PlanGateTestsInMemory(MemorySiloAppFixture fixture) : PlanGateTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class PlanGateTestsOnPostgres(PostgresSiloAppFixture fixture) : PlanGateTests(fixture);
