using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4–§6 through HTTP only: a completion goes in, the receiver gets the POST, the log tells the story.</summary>
public abstract class DeliveryEndToEndTests(SiloAppFixture fixture)
{
    [Fact]
    public async Task A_completion_is_posted_to_the_receiver_and_logged_as_succeeded()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path), "user", password));
        var responseId = NewResponseId();

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId));

        var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.Equal("application/json; charset=utf-8", received.ContentType);
        Assert.Equal(BasicAuthorization("user", password), received.Authorization);
        using (var body = JsonDocument.Parse(received.Body))
        {
            Assert.Equal(webhookId, body.RootElement.Text("Webhook_ID"));
            Assert.Equal(responseId, body.RootElement.Text("Response_ID"));
        }

        using var client = fixture.App.CreateClient(key);
        var entry = await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");
        var item = Assert.Single(await client.ReadWholeLogAsync(accountId));
        Assert.Equal(webhookId, item.Text("webhookId"));
        Assert.Equal(responseId, item.Text("responseId"));
        Assert.Equal("Transactional", item.Text("listeningPost"));
        Assert.Equal("Succeeded", item.Text("status"));
        Assert.Equal(1, item.GetProperty("attempts").GetInt32());
        Assert.Equal(200, item.GetProperty("lastResponseCode").GetInt32());
        Assert.Equal("ok", item.Text("lastResponse"));
        Assert.EndsWith("Z", item.Text("lastActivityUtc"), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, item.Time("lastActivityUtc").Offset);

        Assert.Equal(received.Body, entry.Text("payload"));
        var attempt = Assert.Single(entry.GetProperty("attemptHistory").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("number").GetInt32());
        Assert.Equal(200, attempt.GetProperty("responseCode").GetInt32());
        Assert.Equal("ok", attempt.Text("response"));
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
        Assert.True(attempt.GetProperty("durationMs").GetInt64() >= 0);
        Assert.EndsWith("Z", attempt.Text("startedUtc"), StringComparison.Ordinal);

        using var rawEntry = await client.GetAsync(EntryPath(accountId, webhookId));
        Assert.DoesNotContain(password, await rawEntry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_username_no_authorization_header_is_sent()
    {
        var accountId = await fixture.App.CreateAccountAsync("Enterprise");
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.Null(received.Authorization);
    }

    [Fact]
    public async Task With_the_ServiceNow_wrapper_the_body_is_wrapped_and_the_log_shows_the_wrapped_payload()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path), serviceNowWrapper: true));

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.StartsWith("""{"sysparm_quantity":"1","variables":{""", received.Body, StringComparison.Ordinal);
        Assert.EndsWith("}}", received.Body, StringComparison.Ordinal);
        Assert.Equal(webhookId, received.WebhookId);
        using var client = fixture.App.CreateClient();
        var entry = await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");
        Assert.Equal(received.Body, entry.Text("payload"));
    }

    [Fact]
    public async Task The_log_shows_the_first_100_characters_of_the_response_and_the_entry_all_of_it()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var answer = string.Concat(Enumerable.Range(0, 30).Select(i => $"<{i:D2}>"));
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path, _ => new ReceiverResponse(200, answer))));

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        using var client = fixture.App.CreateClient();
        var entry = await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");
        Assert.Equal(answer[..100], entry.Text("lastResponse"));
        Assert.Equal(answer, Assert.Single(entry.GetProperty("attemptHistory").EnumerateArray()).Text("response"));
        Assert.Equal(answer[..100], Assert.Single(await client.ReadWholeLogAsync(accountId)).Text("lastResponse"));
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class DeliveryEndToEndTestsInMemory(MemorySiloAppFixture fixture) : DeliveryEndToEndTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class DeliveryEndToEndTestsOnPostgres(PostgresSiloAppFixture fixture) : DeliveryEndToEndTests(fixture);
