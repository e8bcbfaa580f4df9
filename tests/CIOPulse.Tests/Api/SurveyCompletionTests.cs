using System.Net;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4: what posting a survey completion answers and triggers.</summary>
public abstract class SurveyCompletionTests(SiloAppFixture fixture)
{
    /// <summary>Long enough for a wrongly scheduled retry (delays are 1 s in tests) to show up.</summary>
    private static readonly TimeSpan _quietWindow = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData("Standard")]
    [InlineData("Corporate")]
    [InlineData("Enterprise")]
    public async Task With_webhooks_off_a_completion_answers_200_with_a_null_webhookId_and_a_reason(string plan)
    {
        var accountId = await fixture.App.CreateAccountAsync(plan);
        using var client = fixture.App.CreateClient();

        using var response = await client.PostCompletionAsync(accountId, Completion(NewResponseId()));

        await AssertStatusAsync(response, HttpStatusCode.OK);
        var answer = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("webhookId").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(answer.Text("reason")));
        Assert.Empty(await client.ReadWholeLogAsync(accountId));
    }

    [Fact]
    public async Task Turning_webhooks_off_again_makes_completions_answer_200_with_a_reason()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var url = fixture.Receiver.UrlFor(path);
        await fixture.App.SetSettingsAsync(accountId, Settings(url));
        await fixture.App.SetSettingsAsync(accountId, Settings(url, enabled: false));
        using var client = fixture.App.CreateClient();

        using var response = await client.PostCompletionAsync(accountId, Completion(NewResponseId()));

        await AssertStatusAsync(response, HttpStatusCode.OK);
        var answer = await ReadJsonAsync(response);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("webhookId").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(answer.Text("reason")));
        Assert.Empty(fixture.Receiver.RequestsTo(path));
    }

    [Fact]
    public async Task Reposting_a_response_returns_the_same_webhookId_with_200_and_sends_nothing_new()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var responseId = NewResponseId();
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId));
        await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline);
        using var client = fixture.App.CreateClient();
        await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");

        using var repeat = await client.PostCompletionAsync(accountId, Completion(responseId));

        await AssertStatusAsync(repeat, HttpStatusCode.OK);
        Assert.Equal(webhookId, (await ReadJsonAsync(repeat)).Text("webhookId"));
        await fixture.Receiver.AssertRequestCountStaysAsync(path, 1, _quietWindow);
        Assert.Equal(webhookId, Assert.Single(fixture.Receiver.RequestsTo(path)).WebhookId);
        var entry = await client.GetJsonAsync(EntryPath(accountId, webhookId));
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Single(await client.ReadWholeLogAsync(accountId));
    }

    [Fact]
    public async Task The_same_response_on_the_other_listening_post_is_a_new_webhook()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var responseId = NewResponseId();

        var transactional = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId, "Transactional"));
        var relationship = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId, "Relationship"));

        Assert.NotEqual(transactional, relationship);
        var received = await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline);
        Assert.Equal(new[] { relationship, transactional }.Order(), received.Select(r => r.WebhookId).Order());
    }

    [Fact]
    public async Task Concurrent_reposts_of_one_response_trigger_exactly_one_webhook()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var responseId = NewResponseId();
        using var client = fixture.App.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await client.PostCompletionAsync(accountId, Completion(responseId));
            return (response.StatusCode, WebhookId: (await ReadJsonAsync(response)).Text("webhookId"));
        }));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        Assert.Single(answers.Select(a => a.WebhookId).Distinct());
        await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline);
        await fixture.Receiver.AssertRequestCountStaysAsync(path, 1, _quietWindow);
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class SurveyCompletionTestsInMemory(MemorySiloAppFixture fixture) : SurveyCompletionTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class SurveyCompletionTestsOnPostgres(PostgresSiloAppFixture fixture) : SurveyCompletionTests(fixture);
