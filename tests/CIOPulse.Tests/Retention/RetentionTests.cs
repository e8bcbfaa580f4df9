using System.Net;
using System.Text;
using System.Text.Json;
using CIOPulse.Tests.BulkResend;
using CIOPulse.Tests.Infrastructure;
using CIOPulse.Tests.Portal;
using Microsoft.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Retention;

/// <summary>
/// The retention on a running node, in both storage modes, with a retention of 2 s, a sweep every
/// second in batches of 10, and retries 30 s apart (so a failing webhook stays InProgress).
/// </summary>
public abstract class RetentionTests(RetentionFixture fixture)
{
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_delivered_webhook_expires_after_the_retention_keeping_its_row_codes_and_times()
    {
        var (account, key, webhookId, marker, bodyMarker) = await DeliverOneAsync();
        await using var database = fixture.Mode == StorageMode.Postgres ? NpgsqlDataSource.Create(fixture.App.Settings["ConnectionStrings:Postgres"]) : null;
        if (database is not null)
        {
            // Straight after acceptance, well inside the 2 s: the byte search below finds what it looks for.
            Assert.Equal(1, await CountAsync(database, "SELECT count(*) FROM grain_state WHERE position($1 in payload) > 0", Encoding.UTF8.GetBytes(marker)));
        }

        using var client = fixture.App.CreateClient(key);
        var delivered = await client.WaitForStatusAsync(account, webhookId, "Succeeded");
        Assert.False(delivered.GetProperty("expired").GetBoolean());
        Assert.Contains(marker, delivered.Text("payload"), StringComparison.Ordinal);

        var expired = await WaitForExpiredAsync(client, account, webhookId);

        Assert.Equal(JsonValueKind.Null, expired.GetProperty("payload").ValueKind);
        var expiredUtc = expired.Time("expiredUtc");
        Assert.True(expiredUtc - expired.Time("lastActivityUtc") >= TimeSpan.FromSeconds(2), $"Expired {expiredUtc:O}, last active {expired.Text("lastActivityUtc")}.");
        Assert.Equal("Succeeded", expired.Text("status"));
        Assert.Equal(delivered.Text("lastActivityUtc"), expired.Text("lastActivityUtc"));
        var before = Assert.Single(delivered.GetProperty("attemptHistory").EnumerateArray());
        var after = Assert.Single(expired.GetProperty("attemptHistory").EnumerateArray());
        Assert.Equal(bodyMarker, before.Text("response"));
        Assert.Equal(JsonValueKind.Null, after.GetProperty("response").ValueKind);
        Assert.Equal(200, after.GetProperty("responseCode").GetInt32());
        Assert.Equal(before.Text("startedUtc"), after.Text("startedUtc"));
        Assert.Equal(before.GetProperty("durationMs").GetInt64(), after.GetProperty("durationMs").GetInt64());

        var row = Assert.Single(await client.ReadWholeLogAsync(account, "search=" + webhookId));
        Assert.True(row.GetProperty("expired").GetBoolean());
        Assert.Equal(200, row.GetProperty("lastResponseCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("lastResponse").ValueKind);

        if (database is not null)
        {
            Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM grain_state WHERE position($1 in payload) > 0", Encoding.UTF8.GetBytes(marker)));
            Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM grain_state WHERE position($1 in payload) > 0", Encoding.UTF8.GetBytes(bodyMarker)));
            Assert.Equal(1, await CountAsync(database, "SELECT count(*) FROM webhook_log WHERE webhook_id = $1 AND replaced_xid IS NULL AND expired AND last_response IS NULL", webhookId));
        }
    }

    [Fact]
    public async Task A_webhook_InProgress_waiting_for_its_retry_is_not_expired()
    {
        var account = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(account);
        var path = ReceiverPathFor(account, "failing");
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(path, _ => ReceiverResponse.Fail(500, "try later"))));
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(account, Completion(NewResponseId()));
        using var client = fixture.App.CreateClient(key);
        var failedOnce = await client.WaitForEntryAsync(account, webhookId, e => e.GetProperty("attempts").GetInt32() == 1);
        Assert.Equal("InProgress", failedOnce.Text("status"));

        // Two retentions and several sweeps later (the retry is 30 s away), it still has everything.
        var until = failedOnce.Time("lastActivityUtc") + TimeSpan.FromSeconds(5);
        while (DateTimeOffset.UtcNow < until)
        {
            var entry = await client.GetJsonAsync(EntryPath(account, webhookId));
            Assert.False(entry.GetProperty("expired").GetBoolean(), $"An InProgress webhook expired: {entry}");
            await Task.Delay(250);
        }

        var kept = await client.GetJsonAsync(EntryPath(account, webhookId));
        Assert.Equal("InProgress", kept.Text("status"));
        Assert.False(string.IsNullOrEmpty(kept.Text("payload")));
        Assert.Equal("try later", kept.GetProperty("attemptHistory")[0].Text("response"));
    }

    [Fact]
    public async Task A_webhook_younger_than_the_retention_is_not_expired()
    {
        var (account, key, webhookId, _, _) = await DeliverOneAsync();
        using var client = fixture.App.CreateClient(key);
        var delivered = await client.WaitForStatusAsync(account, webhookId, "Succeeded");

        // Sweeps run every second; none may take it while its last activity is less than 2 s old.
        var young = delivered.Time("lastActivityUtc") + TimeSpan.FromSeconds(1.5);
        var checks = 0;
        while (DateTimeOffset.UtcNow < young)
        {
            var entry = await client.GetJsonAsync(EntryPath(account, webhookId));
            Assert.False(entry.GetProperty("expired").GetBoolean(), $"Expired at {DateTimeOffset.UtcNow:O}, before the retention: {entry}");
            checks++;
            await Task.Delay(100);
        }

        Assert.True(checks > 0, "The webhook was delivered too late to watch its youth.");
        await WaitForExpiredAsync(client, account, webhookId);
    }

    [Fact]
    public async Task Thirty_five_old_webhooks_expire_within_a_few_ticks_in_batches_of_at_most_10()
    {
        var account = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(account);
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(account))));
        var posted = new List<string>();
        for (var i = 0; i < 35; i++)
        {
            posted.Add(await fixture.App.PostAcceptedCompletionAsync(account, Completion(NewResponseId())));
        }

        using var client = fixture.App.CreateClient(key);
        var started = DateTime.UtcNow;
        await Eventually.ReachAsync(
            () => client.ReadWholeLogAsync(account),
            rows => rows.Count == 35 && rows.All(r => r.GetProperty("expired").GetBoolean()),
            "all 35 webhooks expire",
            ExpiryDeadline,
            TimeSpan.FromMilliseconds(250),
            rows => $"{rows.Count(r => r.GetProperty("expired").GetBoolean())} of {rows.Count} expired");

        Assert.Equal(posted.Order(), (await client.ReadWholeLogAsync(account)).Select(r => r.Text("webhookId")).Order());
        var batches = fixture.Batches();
        Assert.NotEmpty(batches);
        Assert.All(batches, b => Assert.InRange(b.Candidates, 0, 10));
        Assert.True(batches.Sum(b => b.Expired) >= 35, $"The batches logged {batches.Sum(b => b.Expired)} expiries.");
        Assert.True(batches.Any(b => b.Candidates == 10), "No batch was full: the 35 were never asked for in batches.");
        Assert.True(DateTime.UtcNow - started < ExpiryDeadline);
    }

    [Fact]
    public async Task Resend_of_an_expired_webhook_answers_409_saying_its_payload_was_removed()
    {
        var (account, key, webhookId, _, _) = await DeliverOneAsync();
        using var client = fixture.App.CreateClient(key);
        await WaitForExpiredAsync(client, account, webhookId);
        var requests = fixture.Receiver.RequestsFor(webhookId).Count;

        using var response = await client.PostAsync(ResendPath(account, webhookId), null);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains($"Webhook '{webhookId}' cannot be resent: its payload was removed after {RetentionFixture.RetentionText}", Detail(problem), StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal(requests, fixture.Receiver.RequestsFor(webhookId).Count);
        var entry = await client.GetJsonAsync(EntryPath(account, webhookId));
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());

        // Another account's expired webhook is still a 404, not a 409.
        var other = await fixture.App.CreateAccountAsync();
        using var otherClient = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(other));
        using var elsewhere = await otherClient.PostAsync(ResendPath(other, webhookId), null);
        await AssertProblemAsync(elsewhere, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_bulk_resend_leaves_expired_webhooks_out_of_its_count_and_its_run()
    {
        var (account, key, expiredId, _, _) = await DeliverOneAsync();
        using var client = fixture.App.CreateClient(key);
        await WaitForExpiredAsync(client, account, expiredId);

        // The other webhook stays InProgress (its retry is 30 s away), so the 2 s retention cannot take it meanwhile.
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(account, "failing"), _ => ReceiverResponse.Fail(500, "try later"))));
        var young = await fixture.App.PostAcceptedCompletionAsync(account, Completion(NewResponseId()));
        await client.WaitForEntryAsync(account, young, e => e.GetProperty("attempts").GetInt32() == 1);

        Assert.Equal(1, await client.DryRunAsync(account, BulkResendApi.AroundNow()));
        var operation = await client.StartBatchAsync(account, BulkResendApi.AroundNow());
        var finished = await client.WaitForFinishAsync(account, operation);

        Assert.Equal(1, finished.GetProperty("total").GetInt32());
        Assert.Equal(1, finished.GetProperty("failed").GetInt32());
        Assert.Single(BulkResendApi.OperationAttempts(await client.GetJsonAsync(EntryPath(account, young)), operation));
        var expired = await client.GetJsonAsync(EntryPath(account, expiredId));
        Assert.Empty(BulkResendApi.OperationAttempts(expired, operation));
        Assert.Equal(1, expired.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task The_portal_says_when_the_bodies_were_removed_replaces_Resend_and_marks_the_log_row()
    {
        var (account, key, webhookId, marker, bodyMarker) = await DeliverOneAsync();
        using (var api = fixture.App.CreateClient(key))
        {
            await WaitForExpiredAsync(api, account, webhookId);
        }

        using var portal = PortalHttp.CreateClient(fixture.App.BaseUri);
        await PortalHttp.SignInAsync(portal, key);

        var detail = await portal.GetStringAsync("/portal/log/" + webhookId);
        Assert.Matches(@"Payload and response bodies were removed on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT \(retention " + RetentionFixture.RetentionText.Replace(".", @"\.", StringComparison.Ordinal) + @"\)\.", detail);
        Assert.Contains("Resend is not possible: its payload was removed after " + RetentionFixture.RetentionText + ".", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"resend\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"payload-pretty\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(bodyMarker, detail, StringComparison.Ordinal);
        Assert.Contains("Response body removed by the retention.", detail, StringComparison.Ordinal);

        var log = await portal.GetStringAsync("/portal/log?search=" + webhookId);
        Assert.Contains($"id=\"row-{webhookId}\" data-webhook-id=\"{webhookId}\" data-expired=\"true\"", log, StringComparison.Ordinal);
        Assert.Matches("<span class=\"expired-mark\" title=\"[^\"]+\">Expired</span>", log);
    }

    [Fact]
    public async Task In_a_browser_an_open_log_page_marks_the_row_Expired_and_the_detail_offers_no_Resend()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        await using var session = await PortalSession.OpenAsync(browser, fixture.App.BaseUri, $"retention-{fixture.Mode}");
        var account = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(account);
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(account))));
        await session.RunAsync(async portal =>
        {
            // The page is open and live before the webhook exists: it arrives, then expires, on the page.
            await portal.SignInAsync(key);
            await portal.WaitForLiveAsync();
            await portal.MarkDocumentAsync();
            var webhookId = await fixture.App.PostAcceptedCompletionAsync(account, Completion(NewResponseId()));
            var mark = portal.Cell(webhookId, "status").Locator(".expired-mark");
            await Assertions.Expect(portal.Cell(webhookId, "status")).ToContainTextAsync("Succeeded");
            await Assertions.Expect(mark).ToBeHiddenAsync();

            // The live stream's re-read brings the change to the open page, no reload.
            await Assertions.Expect(mark).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(mark).ToHaveTextAsync("Expired");
            await portal.AssertNotReloadedAsync();
            await portal.ScreenshotAsync($"retention-log-{fixture.Mode}");

            await portal.Row(webhookId).GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(portal.Page.Locator("#expired-note")).ToContainTextAsync("Payload and response bodies were removed on");
            await Assertions.Expect(portal.Page.Locator("#resend-expired")).ToHaveTextAsync($"Resend is not possible: its payload was removed after {RetentionFixture.RetentionText}.");
            await Assertions.Expect(portal.Page.GetByRole(AriaRole.Button, new() { Name = "Resend webhook" })).ToHaveCountAsync(0);
            await portal.ScreenshotAsync($"retention-detail-{fixture.Mode}");
        });
    }

    private async Task<(string Account, string Key, string WebhookId, string Marker, string BodyMarker)> DeliverOneAsync()
    {
        var account = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(account);
        var bodyMarker = "receiver-said-" + Guid.NewGuid().ToString("N");
        await fixture.App.SetSettingsAsync(account, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(account), _ => new ReceiverResponse(200, bodyMarker))));
        var marker = "comment-" + Guid.NewGuid().ToString("N");
        var completion = Completion(NewResponseId());
        completion["Comments"] = marker;
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(account, completion);
        return (account, key, webhookId, marker, bodyMarker);
    }

    private static Task<JsonElement> WaitForExpiredAsync(HttpClient client, string account, string webhookId) =>
        Eventually.ReachAsync(() => client.GetJsonAsync(EntryPath(account, webhookId)), e => e.GetProperty("expired").GetBoolean(),
            $"webhook {webhookId} expires", ExpiryDeadline, TimeSpan.FromMilliseconds(200));

    private static async Task<long> CountAsync(NpgsqlDataSource database, string sql, object parameter)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>A node with a 2 s retention, a 1 s sweep in batches of 10, and its sweep's batch log lines kept.</summary>
public abstract class RetentionFixture(StorageMode mode, IReadOnlyDictionary<string, string>? overrides = null) : SiloAppFixture(mode)
{
    /// <summary>2 s in days, as configured and as the portal and the 409 name it.</summary>
    public const string RetentionText = "0.0000232 days";

    private readonly CapturingLoggerProvider _logs = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = Merge(overrides);

    private static readonly Dictionary<string, string> BaseSettings = new()
    {
        ["Webhooks:RetentionDays"] = "0.0000232",
        ["Webhooks:RetentionSweepInterval"] = "00:00:01",
        ["Webhooks:RetentionSweepBatchSize"] = "10",
        ["Webhooks:RetryDelays:0"] = "00:00:30",
        ["Webhooks:RetryDelays:1"] = "00:00:30",
        ["Webhooks:RetryDelays:2"] = "00:00:30",
        ["Webhooks:RetryDelays:3"] = "00:00:30",
        ["Logging:LogLevel:CIOPulse.Grains.RetentionSweepGrain"] = "Debug",
        ["Logging:Console:LogLevel:CIOPulse.Grains.RetentionSweepGrain"] = "Warning", // the batch lines are for Batches(), not the test output
    };

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? overrides)
    {
        var settings = new Dictionary<string, string>(BaseSettings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Every batch the sweep has logged: candidates it asked for, and how many it expired.</summary>
    public IReadOnlyList<(int Candidates, int Expired)> Batches() =>
    [
        .. _logs.Entries
            .Where(e => e.Category == "CIOPulse.Grains.RetentionSweepGrain" && e.Level == LogLevel.Debug && e.Message.StartsWith("Retention sweep batch:", StringComparison.Ordinal))
            .Select(e => System.Text.RegularExpressions.Regex.Match(e.Message, @"^Retention sweep batch: (\d+) candidates, (\d+) expired"))
            .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))),
    ];

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(_logs);
}

public sealed class MemoryRetentionFixture() : RetentionFixture(StorageMode.Memory);

public sealed class PostgresRetentionFixture() : RetentionFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class RetentionCollection : ICollectionFixture<MemoryRetentionFixture>
{
    public const string Memory = "retention (memory)";
    public const string Postgres = "retention (PostgreSQL)";
}

[CollectionDefinition(RetentionCollection.Postgres)]
public sealed class PostgresRetentionCollection : ICollectionFixture<PostgresRetentionFixture>;

[Collection(RetentionCollection.Memory)]
public sealed class RetentionTestsInMemory(MemoryRetentionFixture fixture) : RetentionTests(fixture);

[Collection(RetentionCollection.Postgres)]
public sealed class RetentionTestsOnPostgres(PostgresRetentionFixture fixture) : RetentionTests(fixture);
