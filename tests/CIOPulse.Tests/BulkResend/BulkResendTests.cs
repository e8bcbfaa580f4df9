using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Grains.Log;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CIOPulse.Tests.Api.ApiTestHelpers;
using static CIOPulse.Tests.BulkResend.BulkResendApi;

namespace CIOPulse.Tests.BulkResend;

/// <summary>
/// Bulk resend (issue 14) in both storage modes: the dry run counts exactly what the filter matches;
/// an operation gives each selected webhook exactly one attempt marked with it and touches nothing
/// else; counts add up; cancel, one running operation per account, 404 for another account's, 400
/// naming the field, and the rate bound as the receiver sees it.
/// </summary>
public abstract class BulkResendTests(SiloAppFixture fixture)
{
    private static readonly DateTime _t0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task The_dry_run_counts_exactly_the_current_webhooks_the_filter_matches_each_part_narrowing()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var otherId = await fixture.App.CreateAccountAsync();
        var store = fixture.App.Services.GetRequiredService<IWebhookLogStore>();

        // One version replaced: only the current one counts.
        await store.RecordAsync(accountId, Row("a", ListeningPost.Transactional, _t0.AddHours(1), 200, WebhookStatus.Succeeded));
        await store.RecordAsync(accountId, Row("a", ListeningPost.Transactional, _t0.AddHours(1), 503, WebhookStatus.Failed));
        await store.RecordAsync(accountId, Row("b", ListeningPost.Relationship, _t0.AddHours(2), 503, WebhookStatus.Failed));
        await store.RecordAsync(accountId, Row("c", ListeningPost.Transactional, _t0.AddHours(3), null, WebhookStatus.Failed));
        await store.RecordAsync(accountId, Row("d", ListeningPost.Transactional, _t0.AddHours(4), 200, WebhookStatus.Succeeded));
        await store.RecordAsync(accountId, Row("e", ListeningPost.Transactional, _t0.AddDays(20), 503, WebhookStatus.Failed));
        await store.RecordAsync(accountId, Row("f", ListeningPost.Transactional, _t0.AddHours(-1), 503, WebhookStatus.Failed));
        await store.RecordAsync(otherId, Row("g", ListeningPost.Transactional, _t0.AddHours(1), 503, WebhookStatus.Failed));
        using var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(accountId));

        JsonObject Window(DateTime from, DateTime until, params (string, JsonNode?)[] extra)
        {
            var body = new JsonObject { ["lastActivityFrom"] = Iso(from), ["lastActivityUntil"] = Iso(until) };
            foreach (var (name, value) in extra)
            {
                body[name] = value;
            }

            return body;
        }

        var fortnight = (_t0, _t0.AddDays(14));
        Assert.Equal(4, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2)));
        Assert.Equal(3, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("status", "Failed"))));
        Assert.Equal(2, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("status", "Failed"), ("listeningPost", "Transactional"))));
        Assert.Equal(1, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("status", "Failed"), ("listeningPost", "Transactional"), ("lastResponseCode", 503))));
        Assert.Equal(1, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("lastResponseCode", "none"))));
        Assert.Equal(2, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("lastResponseCode", 503))));
        Assert.Equal(0, await client.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2, ("lastResponseCode", 404))));

        // From is inclusive, until exclusive: [1h, 2h) holds a (at 1h) but not b (at 2h).
        Assert.Equal(1, await client.DryRunAsync(accountId, Window(_t0.AddHours(1), _t0.AddHours(2))));
        Assert.Equal(2, await client.DryRunAsync(accountId, Window(_t0.AddHours(1), _t0.AddHours(2).AddMilliseconds(1))));
        Assert.Equal(1, await client.DryRunAsync(accountId, Window(_t0.AddDays(10), _t0.AddDays(24))));

        // The system key counts the same; the other account's webhook is never counted.
        using var system = fixture.App.CreateClient();
        Assert.Equal(4, await system.DryRunAsync(accountId, Window(fortnight.Item1, fortnight.Item2)));
        Assert.Equal(1, await system.DryRunAsync(otherId, Window(fortnight.Item1, fortnight.Item2)));
    }

    [Fact]
    public async Task An_operation_gives_each_selected_webhook_exactly_one_marked_attempt_and_touches_no_other_webhook_or_account()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);
        var okPath = ReceiverPathFor(accountId, "ok");
        var failingPath = ReceiverPathFor(accountId, "failing");
        var bulkPath = ReceiverPathFor(accountId, "bulk");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(okPath)));
        var succeeded = new[]
        {
            await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())),
            await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())),
        };
        foreach (var id in succeeded)
        {
            await client.WaitForStatusAsync(accountId, id, "Succeeded");
        }

        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(failingPath, _ => ReceiverResponse.Fail(503, "down"))));
        var failed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            failed.Add(await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())));
        }

        // Another account whose Failed webhook the same filter would match, were it this account's.
        var otherId = await fixture.App.CreateAccountAsync();
        var otherPath = ReceiverPathFor(otherId, "failing");
        await fixture.App.SetSettingsAsync(otherId, Settings(fixture.Receiver.UrlFor(otherPath, _ => ReceiverResponse.Fail(503, "down"))));
        var otherWebhook = await fixture.App.PostAcceptedCompletionAsync(otherId, Completion(NewResponseId()));
        using var system = fixture.App.CreateClient();
        foreach (var id in failed)
        {
            await client.WaitForEntryAsync(accountId, id, e => e.Text("status") == "Failed");
        }

        await system.WaitForEntryAsync(otherId, otherWebhook, e => e.Text("status") == "Failed");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(bulkPath)));

        var filter = AroundNow(("status", "Failed"), ("lastResponseCode", 503));
        Assert.Equal(3, await client.DryRunAsync(accountId, filter.DeepClone().AsObject()));
        var operationId = await client.StartBatchAsync(accountId, filter);
        var done = await client.WaitForFinishAsync(accountId, operationId);

        Assert.Equal("Completed", done.Text("status"));
        Assert.Equal(3, done.GetProperty("total").GetInt32());
        Assert.Equal(3, done.GetProperty("done").GetInt32());
        Assert.Equal(3, done.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, done.GetProperty("failed").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, done.GetProperty("finishedUtc").ValueKind);
        Assert.Equal("Failed", done.GetProperty("filter").Text("status"));
        Assert.Equal("503", done.GetProperty("filter").Text("lastResponseCode"));
        Assert.Equal(10, done.GetProperty("ratePerSecond").GetInt32()); // the configured default

        foreach (var id in failed)
        {
            var entry = await client.GetJsonAsync(EntryPath(accountId, id));
            Assert.Equal(6, entry.GetProperty("attempts").GetInt32());
            Assert.Equal("Succeeded", entry.Text("status"));
            var marked = Assert.Single(OperationAttempts(entry, operationId));
            Assert.Equal(6, marked.GetProperty("number").GetInt32());
            Assert.Equal(200, marked.GetProperty("responseCode").GetInt32());
            Assert.Single(fixture.Receiver.RequestsTo(bulkPath), r => r.WebhookId == id);
        }

        Assert.Equal(3, fixture.Receiver.RequestsTo(bulkPath).Count);
        foreach (var id in succeeded)
        {
            var entry = await client.GetJsonAsync(EntryPath(accountId, id));
            Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
            Assert.Empty(OperationAttempts(entry, operationId));
        }

        var other = await system.GetJsonAsync(EntryPath(otherId, otherWebhook));
        Assert.Equal(5, other.GetProperty("attempts").GetInt32());
        Assert.Equal("Failed", other.Text("status"));
        Assert.Equal(5, fixture.Receiver.RequestsTo(otherPath).Count);
    }

    [Fact]
    public async Task Cancel_stops_starting_resends_and_keeps_the_counts_so_far()
    {
        var (accountId, client, path) = await AccountWithSucceededWebhooksAsync(20);

        var operationId = await client.StartBatchAsync(accountId, AroundNow(("status", "Succeeded"), ("ratePerSecond", 2)));
        await client.WaitForBatchAsync(accountId, operationId, p => p.GetProperty("done").GetInt32() >= 2);
        var cancelled = await client.CancelBatchAsync(accountId, operationId);
        Assert.Equal("Cancelled", cancelled.Text("status"));
        Assert.NotEqual(JsonValueKind.Null, cancelled.GetProperty("finishedUtc").ValueKind);

        // Those in flight finish and are counted; then nothing moves.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = await client.GetJsonAsync(OperationPath(accountId, operationId));
        var sent = fixture.Receiver.RequestsTo(path).Count;
        await fixture.Receiver.AssertRequestCountStaysAsync(path, sent, TimeSpan.FromSeconds(2));
        var settled = await client.GetJsonAsync(OperationPath(accountId, operationId));

        Assert.Equal("Cancelled", settled.Text("status"));
        Assert.Equal(20, settled.GetProperty("total").GetInt32());
        var done = settled.GetProperty("done").GetInt32();
        Assert.InRange(done, 2, 19);
        Assert.Equal(after.GetProperty("done").GetInt32(), done);
        Assert.Equal(sent, done);
        Assert.Equal(done, settled.GetProperty("succeeded").GetInt32());
        AssertCountsAddUp(settled);

        // A cancelled operation is cancelled again harmlessly.
        Assert.Equal(done, (await client.CancelBatchAsync(accountId, operationId)).GetProperty("done").GetInt32());
    }

    [Fact]
    public async Task One_operation_runs_per_account_and_a_second_start_answers_409_naming_it()
    {
        var (accountId, client, _) = await AccountWithSucceededWebhooksAsync(5);
        var first = await client.StartBatchAsync(accountId, AroundNow(("ratePerSecond", 1)));

        using (var second = await client.PostBatchAsync(accountId, AroundNow()))
        {
            var problem = await AssertProblemAsync(second, HttpStatusCode.Conflict);
            Assert.Contains(first, Detail(problem), StringComparison.Ordinal);
            Assert.Equal(first, problem.Text("runningOperationId"));
        }

        // A dry run is always allowed, and another account is not held up.
        Assert.Equal(5, await client.DryRunAsync(accountId, AroundNow()));
        var (otherId, otherClient, _) = await AccountWithSucceededWebhooksAsync(1);
        var otherOperation = await otherClient.StartBatchAsync(otherId, AroundNow());
        await otherClient.WaitForFinishAsync(otherId, otherOperation);

        await client.CancelBatchAsync(accountId, first);
        var third = await client.StartBatchAsync(accountId, AroundNow(("ratePerSecond", 100)));
        var finished = await client.WaitForFinishAsync(accountId, third);
        Assert.Equal("Completed", finished.Text("status"));
        Assert.Equal(5, finished.GetProperty("done").GetInt32());
    }

    [Fact]
    public async Task Another_account_s_operation_and_unknown_ids_answer_404()
    {
        var (accountId, client, _) = await AccountWithSucceededWebhooksAsync(1);
        var operationId = await client.StartBatchAsync(accountId, AroundNow());
        await client.WaitForFinishAsync(accountId, operationId);
        var (otherId, otherClient, _) = await AccountWithSucceededWebhooksAsync(1);

        foreach (var path in new[]
        {
            OperationPath(otherId, operationId),                  // the other account's path with this id
            OperationPath(accountId, new string('0', 24)),        // well-formed, unknown
            OperationPath(accountId, "not-an-operation"),
        })
        {
            using var get = await (path.StartsWith(AccountPath(otherId), StringComparison.Ordinal) ? otherClient : client).GetAsync(path);
            await AssertProblemAsync(get, HttpStatusCode.NotFound);
        }

        using (var cancel = await otherClient.PostAsync(OperationPath(otherId, operationId) + "/cancel", null))
        {
            await AssertProblemAsync(cancel, HttpStatusCode.NotFound);
        }

        // An account key never reaches another account's path at all.
        using var crossed = await otherClient.GetAsync(OperationPath(accountId, operationId));
        await AssertProblemAsync(crossed, HttpStatusCode.NotFound);
        Assert.Equal("Completed", (await client.GetJsonAsync(OperationPath(accountId, operationId))).Text("status"));
    }

    [Theory]
    [InlineData("""{"lastActivityUntil":"2026-01-02T00:00:00Z"}""", "lastActivityFrom")]
    [InlineData("""{"lastActivityFrom":"2026-01-01T00:00:00Z"}""", "lastActivityUntil")]
    [InlineData("""{"lastActivityFrom":"yesterday","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "lastActivityFrom")]
    [InlineData("""{"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-15T00:00:01Z"}""", "lastActivityUntil")]
    [InlineData("""{"lastActivityFrom":"2026-01-02T00:00:00Z","lastActivityUntil":"2026-01-01T00:00:00Z"}""", "lastActivityUntil")]
    [InlineData("""{"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-01T00:00:00Z"}""", "lastActivityUntil")]
    [InlineData("""{"status":"Broken","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "status")]
    [InlineData("""{"listeningPost":"Email","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "listeningPost")]
    [InlineData("""{"lastResponseCode":99,"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "lastResponseCode")]
    [InlineData("""{"lastResponseCode":"503","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "lastResponseCode")]
    [InlineData("""{"ratePerSecond":0,"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "ratePerSecond")]
    [InlineData("""{"ratePerSecond":101,"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "ratePerSecond")]
    [InlineData("""{"ratePerSecond":"fast","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "ratePerSecond")]
    [InlineData("""{"dryRun":"yes","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "dryRun")]
    [InlineData("""{"status":"Failed","status":"Failed","lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-01-02T00:00:00Z"}""", "status")]
    public async Task A_bad_request_answers_400_naming_the_field(string body, string field)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(accountId));
        using var content = JsonContent(body);

        using var response = await client.PostAsync(BatchPath(accountId), content);

        await AssertInvalidAsync(response, field);
        Assert.Equal(0, await client.DryRunAsync(accountId, AroundNow()));
    }

    [Fact]
    public async Task At_20_per_second_the_receiver_sees_no_more_than_about_20_resends_a_second()
    {
        const int count = 100;
        var (accountId, client, path) = await AccountWithSucceededWebhooksAsync(count);

        var operationId = await client.StartBatchAsync(accountId, AroundNow(("ratePerSecond", 20)));
        var done = await client.WaitForFinishAsync(accountId, operationId, TimeSpan.FromSeconds(90));

        Assert.Equal(count, done.GetProperty("succeeded").GetInt32());
        var times = fixture.Receiver.RequestsTo(path).Select(r => r.ReceivedUtc).Order().ToList();
        Assert.Equal(count, times.Count);

        // 99 gaps of 50 ms: about 5 s; and no second holds more than 20 (+ the one the pacer may catch up).
        var span = times[^1] - times[0];
        Assert.True(span >= TimeSpan.FromSeconds(4.5), $"100 resends at 20/s took {span}");
        var busiest = times.Select((t, i) => times.Skip(i).TakeWhile(u => u - t < TimeSpan.FromSeconds(1)).Count()).Max();
        Assert.InRange(busiest, 1, 25);
    }

    /// <summary>An account with <paramref name="count"/> Succeeded webhooks whose settings then point at a fresh path for the resends.</summary>
    private async Task<(string AccountId, HttpClient Client, string ResendPath)> AccountWithSucceededWebhooksAsync(int count)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var client = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(accountId));
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "first"))));
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())));
        }

        await Eventually.HoldsAsync(
            async () => (await client.ReadWholeLogAsync(accountId, "status=Succeeded")).Count == count,
            $"{count} webhooks succeed", TimeSpan.FromSeconds(60));
        var resendPath = ReceiverPathFor(accountId, "resend");
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(resendPath)));
        return (accountId, client, resendPath);
    }

    private WebhookLogItem Row(string name, ListeningPost post, DateTime lastActivity, int? code, WebhookStatus status) =>
        new(WebhookIdFor(name), "r-" + name, post, lastActivity, code, code is null ? "timed out" : "answer", 1, status);

    // A fresh Webhook_ID per name per test run (the stores are shared by the collection).
    private readonly Dictionary<string, string> _ids = [];

    private string WebhookIdFor(string name)
    {
        if (!_ids.TryGetValue(name, out var id))
        {
            _ids[name] = id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(7))[..13];
        }

        return id;
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class BulkResendTestsInMemory(MemorySiloAppFixture fixture) : BulkResendTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class BulkResendTestsOnPostgres(PostgresSiloAppFixture fixture) : BulkResendTests(fixture);
