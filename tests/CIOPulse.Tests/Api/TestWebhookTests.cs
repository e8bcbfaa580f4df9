using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CIOPulse.Grains;
using CIOPulse.Tests.BulkResend;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// "Send test" (issue 14): <c>POST …/webhook-settings/test</c> sends the article's sample survey with a
/// fresh Webhook_ID through the real pipeline to the saved settings, answers the attempt's outcome at
/// once, logs it marked as a test, and makes no automatic retry. Retry delays are 1 s on these nodes,
/// so a retry that should not come would come within the windows watched here.
/// </summary>
public abstract class TestWebhookTests(SiloAppFixture fixture)
{
    /// <summary>Longer than the nodes' 1 s retry delay plus an attempt: a retry would have come.</summary>
    private static readonly TimeSpan NoRetryWindow = TimeSpan.FromSeconds(3);

    public static string TestPath(string accountId) => SettingsPath(accountId) + "/test";

    [Fact]
    public async Task A_test_posts_the_sample_survey_with_a_fresh_webhook_id_and_basic_auth_and_answers_the_outcome_logged_as_a_test()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path, _ => new ReceiverResponse(200, "received, thanks")), "ciopulse", password));
        using var client = fixture.App.CreateClient(key);

        var answer = await SendTestAsync(client, accountId);

        var webhookId = answer.Text("webhookId");
        Assert.Matches("^[0-9a-f]{13}$", webhookId);
        Assert.True(answer.GetProperty("succeeded").GetBoolean());
        Assert.Equal(200, answer.GetProperty("responseCode").GetInt32());
        Assert.Equal("received, thanks", answer.Text("response"));
        Assert.True(answer.GetProperty("durationMs").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("failure").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("error").ValueKind);

        // The answer came after the attempt: the receiver has it already.
        var received = Assert.Single(fixture.Receiver.RequestsTo(path));
        Assert.Equal(webhookId, received.WebhookId);
        Assert.Equal("application/json; charset=utf-8", received.ContentType);
        Assert.Equal(BasicAuthorization("ciopulse", password), received.Authorization);
        using (var body = JsonDocument.Parse(received.Body))
        {
            var sample = body.RootElement;
            Assert.Equal(webhookId, sample.Text("Webhook_ID"));
            Assert.Equal("3690", sample.Text("Response_ID"));
            Assert.Equal("2021-07-29 07:50:52", sample.Text("Response_Datetime_UTC"));
            Assert.Equal("INC123456", sample.Text("Ticket_ID"));
            Assert.Equal("1", sample.Text("Responsiveness"));
            Assert.Equal("9", sample.Text("Overall"));
            Assert.Equal("You guys rock!", sample.Text("Comments"));
            Assert.Equal(25, sample.EnumerateObject().Count());
        }

        var entry = await client.GetJsonAsync(EntryPath(accountId, webhookId));
        Assert.True(entry.GetProperty("test").GetBoolean());
        Assert.Equal("Succeeded", entry.Text("status"));
        Assert.Equal(received.Body, entry.Text("payload"));
        Assert.Equal(200, Assert.Single(entry.GetProperty("attemptHistory").EnumerateArray()).GetProperty("responseCode").GetInt32());
        var row = Assert.Single(await client.ReadWholeLogAsync(accountId));
        Assert.Equal(webhookId, row.Text("webhookId"));
        Assert.True(row.GetProperty("test").GetBoolean());
        Assert.Equal("3690", row.Text("responseId"));

        // Each test is a new webhook.
        var again = await SendTestAsync(client, accountId);
        Assert.NotEqual(webhookId, again.Text("webhookId"));
        Assert.Equal(2, (await client.ReadWholeLogAsync(accountId)).Count(item => item.GetProperty("test").GetBoolean()));
    }

    [Fact]
    public async Task A_test_is_sent_while_webhooks_are_off_in_the_ServiceNow_wrapper_without_authorization_and_a_survey_webhook_is_not_marked_test()
    {
        var accountId = await fixture.App.CreateAccountAsync("Enterprise");
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path), enabled: false, serviceNowWrapper: true));
        using var client = fixture.App.CreateClient();

        var answer = await SendTestAsync(client, accountId);

        Assert.True(answer.GetProperty("succeeded").GetBoolean());
        var received = Assert.Single(fixture.Receiver.RequestsTo(path));
        Assert.StartsWith("""{"sysparm_quantity":"1","variables":{"Webhook_ID":""", received.Body, StringComparison.Ordinal);
        Assert.Equal(answer.Text("webhookId"), received.WebhookId);
        Assert.Null(received.Authorization);
        Assert.Equal(received.Body, (await client.GetJsonAsync(EntryPath(accountId, answer.Text("webhookId")))).Text("payload"));

        // Turned on, a survey's webhook goes as always and is no test.
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path), serviceNowWrapper: true));
        var surveyWebhook = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var entry = await client.WaitForStatusAsync(accountId, surveyWebhook, "Succeeded");
        Assert.False(entry.GetProperty("test").GetBoolean());
        var rows = await client.ReadWholeLogAsync(accountId);
        Assert.False(rows.Single(row => row.Text("webhookId") == surveyWebhook).GetProperty("test").GetBoolean());
        Assert.True(rows.Single(row => row.Text("webhookId") == answer.Text("webhookId")).GetProperty("test").GetBoolean());
    }

    [Fact]
    public async Task A_500_is_answered_classified_with_100_characters_and_the_test_is_Failed_after_one_attempt_with_no_retry()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var body = string.Concat(Enumerable.Range(0, 40).Select(i => $"<{i:D2}>"));
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path, _ => new ReceiverResponse(500, body))));
        using var client = fixture.App.CreateClient();

        var answer = await SendTestAsync(client, accountId);

        Assert.False(answer.GetProperty("succeeded").GetBoolean());
        Assert.Equal(500, answer.GetProperty("responseCode").GetInt32());
        Assert.Equal(body[..100], answer.Text("response"));
        Assert.Equal("HttpServerError", answer.Text("failure"));
        await AssertFailedAfterOneAttemptAsync(client, accountId, answer.Text("webhookId"), path);
    }

    [Fact]
    public async Task A_closed_port_is_answered_as_ConnectionRefused_and_the_test_is_Failed_after_one_attempt_with_no_retry()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        await fixture.App.SetSettingsAsync(accountId, Settings($"http://127.0.0.1:{FreePorts.Next()}/hook"));
        using var client = fixture.App.CreateClient();

        var answer = await SendTestAsync(client, accountId);

        Assert.False(answer.GetProperty("succeeded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("responseCode").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("response").ValueKind);
        Assert.Equal("ConnectionRefused", answer.Text("failure"));
        Assert.False(string.IsNullOrWhiteSpace(answer.Text("error")));
        await AssertFailedAfterOneAttemptAsync(client, accountId, answer.Text("webhookId"), receiverPath: null);
    }

    [Fact]
    public async Task A_failed_test_can_be_resent_and_the_resend_reaches_a_recovered_receiver()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path, attempt => attempt == 1 ? ReceiverResponse.Fail() : ReceiverResponse.Ok)));
        using var client = fixture.App.CreateClient();
        var webhookId = (await SendTestAsync(client, accountId)).Text("webhookId");

        using var resend = await client.PostAsync(ResendPath(accountId, webhookId), content: null);
        await AssertStatusAsync(resend, HttpStatusCode.Accepted);

        var entry = await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");
        Assert.Equal(2, entry.GetProperty("attempts").GetInt32());
        Assert.True(entry.GetProperty("test").GetBoolean());
        Assert.Equal(2, fixture.Receiver.RequestsTo(path).Count);
    }

    [Fact]
    public async Task A_bulk_resend_leaves_test_webhooks_out_and_takes_the_survey_webhooks()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId), _ => ReceiverResponse.Fail())));
        using var client = fixture.App.CreateClient();
        var test = (await SendTestAsync(client, accountId)).Text("webhookId");
        var survey = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        await client.WaitForEntryAsync(accountId, survey, e => e.GetProperty("attempts").GetInt32() >= 1);

        Assert.Equal(1, await client.DryRunAsync(accountId, BulkResendApi.AroundNow()));
        var operation = await client.StartBatchAsync(accountId, BulkResendApi.AroundNow());
        var finished = await client.WaitForFinishAsync(accountId, operation);

        Assert.Equal(1, finished.GetProperty("total").GetInt32());
        Assert.Single(BulkResendApi.OperationAttempts(await client.GetJsonAsync(EntryPath(accountId, survey)), operation));
        Assert.Empty(BulkResendApi.OperationAttempts(await client.GetJsonAsync(EntryPath(accountId, test)), operation));
    }

    [Fact]
    public async Task Another_account_s_test_route_answers_404_and_sends_nothing()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var otherAccount = await fixture.App.CreateAccountAsync();
        using var other = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(otherAccount));

        using var response = await other.PostAsync(TestPath(accountId), content: null);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
        using var unknown = await fixture.App.CreateClient().PostAsync(TestPath(NewAccountId()), content: null);
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        Assert.Empty(fixture.Receiver.RequestsTo(path));
    }

    [Fact]
    public async Task Without_a_saved_url_a_test_is_a_409_problem_and_on_the_Standard_plan_a_403()
    {
        var noUrl = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(noUrl));
        using (var response = await client.PostAsync(TestPath(noUrl), content: null))
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
            Assert.Contains("URL", Detail(problem), StringComparison.Ordinal);
        }

        var standard = await fixture.App.CreateAccountAsync("Standard");
        var path = ReceiverPathFor(standard);
        await fixture.App.SetSettingsAsync(standard, Settings(fixture.Receiver.UrlFor(path), enabled: false));
        using (var response = await fixture.App.CreateClient().PostAsync(TestPath(standard), content: null))
        {
            var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Contains("Standard", Detail(problem), StringComparison.Ordinal);
        }

        Assert.Empty(fixture.Receiver.RequestsTo(path));
        Assert.Empty(await fixture.App.CreateClient().ReadWholeLogAsync(standard));
    }

    [Fact]
    public async Task The_eleventh_test_within_a_minute_is_a_429_with_Retry_After_and_sends_nothing()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        using var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(accountId));
        for (var i = 0; i < 10; i++)
        {
            await SendTestAsync(client, accountId);
        }

        using var refused = await client.PostAsync(TestPath(accountId), content: null);

        var problem = await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("TestWebhooksPerMinute", Detail(problem), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, "Retry-After in seconds");
        Assert.Equal(10, fixture.Receiver.RequestsTo(path).Count);

        // Another account is not held back by this one's tests.
        var other = await fixture.App.CreateAccountAsync();
        await fixture.App.SetSettingsAsync(other, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(other))));
        await SendTestAsync(fixture.App.CreateClient(), other);
    }

    /// <summary>POSTs a test, requires a 200, and returns the answer.</summary>
    public static async Task<JsonElement> SendTestAsync(HttpClient client, string accountId)
    {
        using var response = await client.PostAsync(TestPath(accountId), content: null);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return await ReadJsonAsync(response);
    }

    private async Task AssertFailedAfterOneAttemptAsync(HttpClient client, string accountId, string webhookId, string? receiverPath)
    {
        var entry = await client.GetJsonAsync(EntryPath(accountId, webhookId));
        Assert.Equal("Failed", entry.Text("status"));
        Assert.True(entry.GetProperty("test").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("nextAttemptDueUtc").ValueKind);
        if (receiverPath is not null)
        {
            await fixture.Receiver.AssertRequestCountStaysAsync(receiverPath, 1, NoRetryWindow);
        }
        else
        {
            await Task.Delay(NoRetryWindow);
        }

        entry = await client.GetJsonAsync(EntryPath(accountId, webhookId));
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Single(entry.GetProperty("attemptHistory").EnumerateArray());
        var row = Assert.Single(await client.ReadWholeLogAsync(accountId));
        Assert.Equal(("Failed", 1, true), (row.Text("status"), row.GetProperty("attempts").GetInt32(), row.GetProperty("test").GetBoolean()));
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class TestWebhookTestsInMemory(MemorySiloAppFixture fixture) : TestWebhookTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class TestWebhookTestsOnPostgres(PostgresSiloAppFixture fixture) : TestWebhookTests(fixture);

/// <summary>
/// A test webhook meets the same destination checks as any attempt: on a node that refuses private
/// networks, a name that resolved publicly when the settings were saved and privately when the test
/// is sent is refused, and nothing connects.
/// </summary>
public abstract class TestWebhookDestinationTests(TestWebhookDestinationTests.RefusingFixture fixture)
{
    [Fact]
    public async Task A_test_to_a_name_that_now_resolves_to_loopback_answers_DestinationRefused_and_nothing_connects()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var accountId = await fixture.App.CreateAccountAsync();
            var host = accountId + ".rebind.test";
            fixture.Resolver.Map(host, "93.184.215.14");
            await fixture.App.SetSettingsAsync(accountId, Settings($"http://{host}:{port}/hook", enabled: false));
            fixture.Resolver.Map(host, "127.0.0.1");
            using var client = fixture.App.CreateClient();

            var answer = await TestWebhookTests.SendTestAsync(client, accountId);

            Assert.False(answer.GetProperty("succeeded").GetBoolean());
            Assert.Equal("DestinationRefused", answer.Text("failure"));
            Assert.Equal(JsonValueKind.Null, answer.GetProperty("responseCode").ValueKind);
            Assert.Contains(host, answer.Text("error"), StringComparison.Ordinal);
            Assert.False(listener.Pending(), "nothing may connect to the loopback listener");
            var entry = await client.GetJsonAsync(EntryPath(accountId, answer.Text("webhookId")));
            Assert.Equal(("Failed", true), (entry.Text("status"), entry.GetProperty("test").GetBoolean()));
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A node in the fixture's storage mode that refuses private destinations and resolves through a fake resolver.</summary>
    public abstract class RefusingFixture(StorageMode mode) : SiloAppFixture(mode)
    {
        public FakeDestinationResolver Resolver { get; } = new();

        protected override IReadOnlyDictionary<string, string> Settings { get; } =
            new Dictionary<string, string> { ["Webhooks:AllowPrivateNetworks"] = "false" };

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IDestinationResolver>(Resolver);
    }

    public sealed class MemoryRefusingFixture() : RefusingFixture(StorageMode.Memory);

    public sealed class PostgresRefusingFixture() : RefusingFixture(StorageMode.Postgres);
}

public sealed class TestWebhookDestinationTestsInMemory(TestWebhookDestinationTests.MemoryRefusingFixture fixture)
    : TestWebhookDestinationTests(fixture), IClassFixture<TestWebhookDestinationTests.MemoryRefusingFixture>;

public sealed class TestWebhookDestinationTestsOnPostgres(TestWebhookDestinationTests.PostgresRefusingFixture fixture)
    : TestWebhookDestinationTests(fixture), IClassFixture<TestWebhookDestinationTests.PostgresRefusingFixture>;
