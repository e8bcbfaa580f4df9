using System.Text;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Api;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Delivery;

/// <summary>
/// The delivery grain against a real loopback receiver in an Orleans test cluster, with the retry
/// schedule scaled to 1 s, 2 s, 1 s, 1 s (see <see cref="DeliveryCluster"/>).
/// </summary>
public abstract class DeliveryTests(DeliveryClusterFixture fixture)
{
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    protected DeliveryCluster Cluster => fixture.Cluster;

    protected TestReceiver Receiver => fixture.Receiver;

    protected static string NewPath() => "/hook/" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task A_200_on_the_first_attempt_succeeds_at_once()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var received = await Receiver.WaitForRequestsAsync(path, 1, Generous);
        Assert.Equal(webhookId, received[0].WebhookId);
        Assert.Equal("application/json; charset=utf-8", received[0].ContentType);
        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(1, detail.Item.Attempts);
        Assert.Equal(200, detail.Item.LastResponseCode);
        Assert.Equal("ok", detail.Item.LastResponse);
        Assert.Null(detail.NextAttemptDueUtc);
        Assert.Equal(received[0].Body, detail.Payload);
        Assert.Equal((null, false), (detail.AttemptHistory[0].Failure, detail.AttemptHistory[0].ResponseTruncated));
    }

    [Fact]
    public async Task Two_failures_then_200_makes_three_attempts_spaced_by_the_configured_delays()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, n => n <= 2 ? ReceiverResponse.Fail(503) : ReceiverResponse.Ok));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        var received = Receiver.RequestsTo(path);
        Assert.Equal(3, received.Count);
        Assert.Equal(3, detail.Item.Attempts);
        Assert.Equal([503, 503, 200], detail.AttemptHistory.Select(a => a.ResponseCode));
        AssertGap(received[0], received[1], DeliveryCluster.RetryDelays[0]);
        AssertGap(received[1], received[2], DeliveryCluster.RetryDelays[1]);
    }

    [Fact]
    public async Task Five_failures_mark_the_webhook_Failed_and_no_sixth_attempt_follows()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => ReceiverResponse.Fail(500, "boom")));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Failed, Generous);
        Assert.Equal(5, detail.Item.Attempts);
        Assert.Equal(500, detail.Item.LastResponseCode);
        Assert.Equal("boom", detail.Item.LastResponse);
        Assert.Null(detail.NextAttemptDueUtc);

        // Longer than any retry delay: a sixth attempt would have come by now.
        await Task.Delay(DeliveryCluster.RetryDelays.Max() * 2);
        Assert.Equal(5, Receiver.RequestsTo(path).Count);
        Assert.Equal(5, (await Cluster.DetailAsync(account, webhookId)).Item.Attempts);
        Assert.Null(await Cluster.Reminders.ReadRow(Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetGrainId(), WebhookDeliveryGrain.ReminderName));
    }

    [Theory]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(302)]
    [InlineData(404)]
    public async Task Any_status_but_200_is_a_failed_attempt(int status)
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, n => n == 1 ? new ReceiverResponse(status) : ReceiverResponse.Ok));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(2, detail.Item.Attempts);
        Assert.Equal(status, detail.AttemptHistory[0].ResponseCode);
        Assert.Equal(200, detail.AttemptHistory[1].ResponseCode);
        Assert.Equal(status switch { 302 => AttemptFailure.Redirect, 404 => AttemptFailure.HttpClientError, _ => AttemptFailure.UnexpectedStatus }, detail.AttemptHistory[0].Failure);
        Assert.Null(detail.AttemptHistory[1].Failure);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var path = NewPath();
        var target = NewPath();
        var targetUrl = Receiver.UrlFor(target);
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => new ReceiverResponse(302, "moved", RedirectTo: targetUrl)));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        await Receiver.WaitForRequestsAsync(path, 2, Generous);
        var detail = await Cluster.DetailAsync(account, webhookId);
        Assert.All(detail.AttemptHistory, a => Assert.Equal((302, AttemptFailure.Redirect), (a.ResponseCode, a.Failure)));
        Assert.Equal(WebhookStatus.InProgress, detail.Item.Status);
        Assert.Empty(Receiver.RequestsTo(target));
    }

    [Fact]
    public async Task A_timeout_is_recorded_without_a_status_code_and_with_an_error()
    {
        var path = NewPath();
        var slow = DeliveryCluster.AttemptTimeout + TimeSpan.FromSeconds(3);
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, n => n == 1 ? new ReceiverResponse(200, "late", slow) : ReceiverResponse.Ok));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        var first = detail.AttemptHistory[0];
        Assert.Null(first.ResponseCode);
        Assert.Contains("Timed out", first.Error, StringComparison.Ordinal);
        Assert.Equal(AttemptFailure.Timeout, first.Failure);
        Assert.InRange(first.DurationMs, (long)DeliveryCluster.AttemptTimeout.TotalMilliseconds - 100, (long)slow.TotalMilliseconds);
        Assert.Equal(2, detail.Item.Attempts);

        // The retry delay is counted from when the timed-out attempt ended, not from when it started.
        var firstEnded = first.StartedUtc + TimeSpan.FromMilliseconds(first.DurationMs);
        var wait = detail.AttemptHistory[1].StartedUtc - firstEnded;
        Assert.True(wait >= DeliveryCluster.RetryDelays[0] - TimeSpan.FromMilliseconds(100), $"attempt 2 came {wait} after attempt 1 ended");
    }

    [Fact]
    public async Task A_refused_connection_is_recorded_without_a_status_code_and_with_an_error()
    {
        var closedPort = FreePorts.Next();
        var account = await Cluster.CreateAccountAsync($"http://127.0.0.1:{closedPort}/hook");

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Attempts >= 1, Generous);
        Assert.Null(detail.Item.LastResponseCode);
        Assert.Null(detail.AttemptHistory[0].ResponseCode);
        Assert.StartsWith("Connection failed", detail.AttemptHistory[0].Error, StringComparison.Ordinal);
        Assert.Equal(AttemptFailure.ConnectionRefused, detail.AttemptHistory[0].Failure);
        Assert.Equal(detail.AttemptHistory[0].Error![..Math.Min(100, detail.AttemptHistory[0].Error!.Length)], detail.Item.LastResponse);
    }

    [Fact]
    public async Task The_log_keeps_100_characters_of_the_answer_and_the_detail_up_to_64_KiB()
    {
        var path = NewPath();
        var huge = string.Concat(Enumerable.Repeat("0123456789abcdef", 6000));
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => new ReceiverResponse(200, huge)));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(huge[..100], detail.Item.LastResponse);
        Assert.Equal(huge[..WebhookSender.MaxResponseBytes], detail.AttemptHistory[0].Response);
        Assert.True(detail.AttemptHistory[0].ResponseTruncated);
        var page = await Cluster.Client.GetGrain<IWebhookLogGrain>(0).Query(account, new WebhookLogQuery(null, null, 10, null));
        Assert.Equal(huge[..100], Assert.Single(page.Items).LastResponse);
    }

    [Fact]
    public async Task An_answer_of_exactly_64_KiB_is_kept_whole_and_not_marked_cut()
    {
        var path = NewPath();
        var exact = new string('x', WebhookSender.MaxResponseBytes);
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => new ReceiverResponse(200, exact)));

        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal((exact, false), (detail.AttemptHistory[0].Response, detail.AttemptHistory[0].ResponseTruncated));
    }

    [Fact]
    public async Task Resend_on_a_Failed_webhook_makes_one_more_attempt_and_can_succeed()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => ReceiverResponse.Fail()));
        var webhookId = await Cluster.SubmitAsync(account, "r-1");
        await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Failed, Generous);
        Receiver.Script(path, _ => ReceiverResponse.Ok);

        Assert.Equal(ResendOutcome.Accepted, await Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).Resend(account));

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(6, detail.Item.Attempts);
        Assert.Equal(6, Receiver.RequestsTo(path).Count);
    }

    [Fact]
    public async Task A_failed_resend_of_a_Failed_webhook_leaves_it_Failed_without_new_automatic_attempts()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path, _ => ReceiverResponse.Fail()));
        var webhookId = await Cluster.SubmitAsync(account, "r-1");
        await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Failed, Generous);

        await Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).Resend(account);

        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Attempts == 6, Generous);
        Assert.Equal(WebhookStatus.Failed, detail.Item.Status);
        await Task.Delay(DeliveryCluster.RetryDelays.Max() * 2);
        Assert.Equal(6, Receiver.RequestsTo(path).Count);
    }

    [Fact]
    public async Task Resend_on_a_Succeeded_webhook_posts_the_same_Webhook_ID_again()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path));
        var webhookId = await Cluster.SubmitAsync(account, "r-1");
        await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);

        Assert.Equal(ResendOutcome.Accepted, await Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).Resend(account));

        var received = await Receiver.WaitForRequestsAsync(path, 2, Generous);
        Assert.All(received, r => Assert.Equal(webhookId, r.WebhookId));
        Assert.Equal(received[0].Body, received[1].Body);
        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Attempts == 2, Generous);
        Assert.Equal(WebhookStatus.Succeeded, detail.Item.Status);
    }

    [Fact]
    public async Task Resend_of_another_accounts_webhook_is_refused()
    {
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(NewPath()));
        var webhookId = await Cluster.SubmitAsync(account, "r-1");

        Assert.Equal(ResendOutcome.NotFound, await Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).Resend("someone-else"));
        Assert.Null(await Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetDetail("someone-else"));
    }

    [Fact]
    public async Task Settings_changed_between_attempts_are_used_by_the_next_attempt()
    {
        var broken = NewPath();
        var fixedPath = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(broken, _ => ReceiverResponse.Fail(502)));
        var webhookId = await Cluster.SubmitAsync(account, "r-1");
        await Receiver.WaitForRequestsAsync(broken, 1, Generous);

        var update = new WebhookSettingsUpdate(true, Receiver.UrlFor(fixedPath), "new-user", "new-pass", ServiceNowWrapper: true);
        Assert.Equal(SettingsUpdateOutcome.Updated, (await Cluster.Client.GetGrain<IAccountGrain>(account).UpdateSettings(update)).Outcome);

        var received = await Receiver.WaitForRequestsAsync(fixedPath, 1, Generous);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("new-user:new-pass")), received[0].Authorization);
        Assert.StartsWith("{\"sysparm_quantity\":\"1\",\"variables\":{\"Webhook_ID\":\"" + webhookId + "\"", received[0].Body, StringComparison.Ordinal);
        var detail = await Cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(2, detail.Item.Attempts);
        Assert.Equal(received[0].Body, detail.Payload);
        Assert.Single(Receiver.RequestsTo(broken));
    }

    [Fact]
    public async Task The_stored_password_is_encrypted_and_sent_as_Basic_auth()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path), "svc", "s3cr3t-pässword");

        await Cluster.SubmitAsync(account, "r-1");

        var received = await Receiver.WaitForRequestsAsync(path, 1, Generous);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("svc:s3cr3t-pässword")), received[0].Authorization);
        var target = await Cluster.Client.GetGrain<IAccountGrain>(account).GetDeliveryTarget();
        Assert.NotNull(target!.EncryptedPassword);
        Assert.DoesNotContain("s3cr3t", target.EncryptedPassword, StringComparison.Ordinal);
        Assert.True((await Cluster.Client.GetGrain<IAccountGrain>(account).GetSettings())!.HasPassword);
    }

    [Fact]
    public async Task The_same_response_posted_twice_keeps_one_Webhook_ID_and_one_delivery()
    {
        var path = NewPath();
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(path));
        var completion = new SurveyCompletion { ResponseId = "dup-1", ResponseDatetimeUtc = DateTime.UtcNow, Overall = 3 };
        var submitter = Cluster.Client.GetGrain<ISurveyCompletionGrain>(0);

        var first = await submitter.Submit(account, completion);
        var second = await submitter.Submit(account, completion);
        var otherPost = await submitter.Submit(account, completion with { ListeningPost = ListeningPost.Relationship });

        Assert.Equal(SubmitOutcome.Accepted, first.Outcome);
        Assert.Equal(SubmitOutcome.Duplicate, second.Outcome);
        Assert.Equal(first.WebhookId, second.WebhookId);
        Assert.Equal(SubmitOutcome.Accepted, otherPost.Outcome);
        Assert.NotEqual(first.WebhookId, otherPost.WebhookId);
        await Receiver.WaitForRequestsAsync(path, 2, Generous);
        await Receiver.AssertRequestCountStaysAsync(path, 2, TimeSpan.FromSeconds(1));
        Assert.Single(Receiver.RequestsTo(path), r => r.WebhookId == first.WebhookId);
    }

    [Fact]
    public async Task A_completion_repeated_after_delivery_leaves_its_log_row_as_delivered()
    {
        var (account, completion, webhookId) = await DeliverAndGoIdleAsync("again-1");

        var repeat = await Cluster.Client.GetGrain<ISurveyCompletionGrain>(0).Submit(account, completion);

        Assert.Equal(SubmitOutcome.Duplicate, repeat.Outcome);
        var row = Assert.Single((await LogAsync(account)).Items);
        Assert.Equal((webhookId, WebhookStatus.Succeeded, 1, 200), (row.WebhookId, row.Status, row.Attempts, row.LastResponseCode));
    }

    protected Task<WebhookLogPage> LogAsync(string account) =>
        Cluster.Client.GetGrain<IWebhookLogGrain>(0).Query(account, new WebhookLogQuery(null, null, 10, null));

    /// <summary>
    /// A new account's completion, accepted and delivered, with its grain deactivated, so that
    /// repeating the completion reaches a new activation.
    /// </summary>
    protected async Task<(string Account, SurveyCompletion Completion, string WebhookId)> DeliverAndGoIdleAsync(string responseId)
    {
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(NewPath()));
        var completion = new SurveyCompletion { ResponseId = responseId, ResponseDatetimeUtc = DateTime.UtcNow, Overall = 8 };
        var first = await Cluster.Client.GetGrain<ISurveyCompletionGrain>(0).Submit(account, completion);
        Assert.Equal(SubmitOutcome.Accepted, first.Outcome);
        await WaitUntilSucceededAndIdleAsync(account, first.WebhookId!);
        return (account, completion, first.WebhookId!);
    }

    /// <summary>
    /// Waits, through the log index and the directory only (reading the webhook would keep its grain
    /// active), until the account's one webhook has succeeded and its grain has deactivated itself,
    /// so that the next call reaches a new activation.
    /// </summary>
    protected async Task WaitUntilSucceededAndIdleAsync(string account, string webhookId)
    {
        var grainId = Cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetGrainId();
        var management = Cluster.Client.GetGrain<IManagementGrain>(0);
        await Eventually.HoldsAsync(
            async () => (await LogAsync(account)).Items is [{ Status: WebhookStatus.Succeeded }]
                && !(await management.GetActiveGrains(grainId.Type)).Contains(grainId),
            "the webhook finishes and its grain deactivates",
            Generous,
            TimeSpan.FromMilliseconds(50));
    }

    private static void AssertGap(ReceivedRequest earlier, ReceivedRequest later, TimeSpan delay)
    {
        var gap = later.ReceivedUtc - earlier.ReceivedUtc;
        // Never early; late by at most a little scheduling slack on a busy 2-core machine.
        Assert.InRange(gap, delay - TimeSpan.FromMilliseconds(50), delay + TimeSpan.FromSeconds(1.5));
    }
}

[Collection(DeliveryClusterCollection.Memory)]
public sealed class DeliveryTestsInMemory(MemoryDeliveryClusterFixture fixture) : DeliveryTests(fixture);

[Collection(DeliveryClusterCollection.Postgres)]
public sealed class DeliveryTestsOnPostgres(PostgresDeliveryClusterFixture fixture) : DeliveryTests(fixture)
{
    [Fact]
    public async Task A_repeated_completion_of_a_webhook_without_a_log_row_makes_the_row_from_the_stored_state()
    {
        var (account, completion, webhookId) = await DeliverAndGoIdleAsync("no-row-1");

        // As an older version could leave it: the state stored, its log row never written.
        await Cluster.Database!.ExecuteAsync($"DELETE FROM webhook_log WHERE webhook_id = '{webhookId}'");
        var repeat = await Cluster.Client.GetGrain<ISurveyCompletionGrain>(0).Submit(account, completion);

        Assert.Equal(SubmitOutcome.Duplicate, repeat.Outcome);
        var row = Assert.Single((await LogAsync(account)).Items);
        Assert.Equal((webhookId, WebhookStatus.Succeeded, 1, 200), (row.WebhookId, row.Status, row.Attempts, row.LastResponseCode));
    }

    [Fact]
    public async Task An_accepted_webhook_and_its_first_log_row_are_committed_by_one_transaction()
    {
        var database = Cluster.Database!;

        // The receiver holds every attempt past its timeout, so for that long after its acceptance
        // nothing else writes either row of a webhook; each is checked at once.
        var account = await Cluster.CreateAccountAsync(Receiver.UrlFor(NewPath(), _ => new ReceiverResponse(200, Delay: DeliveryCluster.AttemptTimeout + TimeSpan.FromSeconds(1))));

        for (var i = 1; i <= 5; i++)
        {
            var webhookId = await Cluster.SubmitAsync(account, $"tx-{i}");

            // grain_state's key ends with the grain id, which ends with the webhook id; xmin is the
            // 32-bit id of the transaction that wrote the state row, created_xid the log row's full one.
            var version = await database.ScalarAsync($"SELECT max(version) FROM grain_state WHERE grain_id LIKE '%/{webhookId}'");
            Assert.True(version == 1, $"checked too late: the state is at version {version}, an attempt has rewritten it");
            Assert.Equal(1, await database.ScalarAsync(
                $"""
                SELECT count(*) FROM webhook_log l JOIN grain_state g ON g.grain_id LIKE '%/' || l.webhook_id
                 WHERE l.webhook_id = '{webhookId}' AND g.version = 1
                   AND l.created_xid::text::bigint % 4294967296 = g.xmin::text::bigint
                """));
        }
    }
}
