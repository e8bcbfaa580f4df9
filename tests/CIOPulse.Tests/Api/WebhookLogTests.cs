using System.Net;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4: the Webhook Log listing, its filters and paging, and "Resend webhook".</summary>
public abstract class WebhookLogTests(SiloAppFixture fixture)
{
    [Fact]
    public async Task The_log_filters_by_status_and_listening_post()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var okUrl = fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "ok"));
        var failingUrl = fixture.Receiver.UrlFor(ReceiverPathFor(accountId, "failing"), _ => ReceiverResponse.Fail());
        using var client = fixture.App.CreateClient(key);

        await fixture.App.SetSettingsAsync(accountId, Settings(okUrl));
        var succeededTransactional = new[]
        {
            await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId(), "Transactional")),
            await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId(), "Transactional")),
        };
        var succeededRelationship = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId(), "Relationship"));
        foreach (var id in succeededTransactional.Append(succeededRelationship))
        {
            await client.WaitForStatusAsync(accountId, id, "Succeeded");
        }

        await fixture.App.SetSettingsAsync(accountId, Settings(failingUrl));
        var failing = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId(), "Relationship"));

        // Five attempts one second apart: it stays InProgress for about four seconds.
        Assert.Equal([failing], Ids(await client.ReadWholeLogAsync(accountId, "status=InProgress")));

        var failed = await client.WaitForStatusAsync(accountId, failing, "Failed");
        Assert.Equal(5, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(500, failed.GetProperty("lastResponseCode").GetInt32());

        Assert.Equal([failing], Ids(await client.ReadWholeLogAsync(accountId, "status=Failed")));
        Assert.Empty(await client.ReadWholeLogAsync(accountId, "status=InProgress"));
        Assert.Equal(
            succeededTransactional.Append(succeededRelationship).Order(),
            Ids(await client.ReadWholeLogAsync(accountId, "status=Succeeded")).Order());
        Assert.Equal(succeededTransactional.Order(), Ids(await client.ReadWholeLogAsync(accountId, "listeningPost=Transactional")).Order());
        Assert.Equal(
            new[] { succeededRelationship, failing }.Order(),
            Ids(await client.ReadWholeLogAsync(accountId, "listeningPost=Relationship")).Order());
        Assert.Equal([succeededRelationship], Ids(await client.ReadWholeLogAsync(accountId, "status=Succeeded&listeningPost=Relationship")));
        Assert.Empty(await client.ReadWholeLogAsync(accountId, "status=Failed&listeningPost=Transactional"));
        Assert.Equal(4, (await client.ReadWholeLogAsync(accountId)).Count);
    }

    [Fact]
    public async Task Paging_with_limit_3_over_10_webhooks_returns_each_once_newest_activity_first()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));
        using var client = fixture.App.CreateClient(key);
        var posted = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            posted.Add(await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())));
        }

        foreach (var id in posted)
        {
            await client.WaitForStatusAsync(accountId, id, "Succeeded");
        }

        var pages = new List<IReadOnlyList<string>>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync(LogPath(accountId, "limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            pages.Add(Ids(Items(page)));
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.True(pages.Count <= 4, "More than four pages of three for ten webhooks.");
        }
        while (cursor is not null);

        Assert.Equal([3, 3, 3, 1], pages.Select(p => p.Count));
        var all = pages.SelectMany(p => p).ToList();
        Assert.Equal(posted.Order(), all.Order());

        var byDefault = await client.GetJsonAsync(LogPath(accountId));
        var items = Items(byDefault);
        Assert.Equal(all, Ids(items));
        Assert.Null(byDefault.GetProperty("nextCursor").GetString());
        AssertNewestActivityFirst(items);
    }

    [Fact]
    public async Task Paging_while_deliveries_move_rows_still_returns_each_webhook_once()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var url = fixture.Receiver.UrlFor(ReceiverPathFor(accountId), n => new ReceiverResponse(200, "ok", TimeSpan.FromMilliseconds(40 * n)));
        await fixture.App.SetSettingsAsync(accountId, Settings(url));
        using var client = fixture.App.CreateClient(key);
        var posted = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            posted.Add(await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId())));
        }

        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync(LogPath(accountId, "limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))));
            seen.AddRange(Ids(Items(page)));
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.True(++pages <= 11, "Paging did not end.");
        }
        while (cursor is not null);

        Assert.Equal(posted.Order(), seen.Order());
    }

    [Fact]
    public async Task The_log_lists_newest_activity_first_after_a_resend_moves_an_old_webhook_up()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var later = await fixture.App.PostAcceptedCompletionAsync(account.Id, Completion(NewResponseId()));
        await client.WaitForStatusAsync(account.Id, account.WebhookId, "Succeeded");
        await client.WaitForStatusAsync(account.Id, later, "Succeeded");

        using var resend = await client.PostAsync(ResendPath(account.Id, account.WebhookId), content: null);
        await AssertStatusAsync(resend, HttpStatusCode.Accepted);
        await client.WaitForEntryAsync(account.Id, account.WebhookId, e => e.GetProperty("attempts").GetInt32() == 2);

        var items = await client.ReadWholeLogAsync(account.Id);
        Assert.Equal([account.WebhookId, later], Ids(items));
        AssertNewestActivityFirst(items);
    }

    [Fact]
    public async Task Resending_a_succeeded_webhook_posts_it_again_and_counts_a_second_attempt()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var first = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(account.ReceiverPath, 1, Deadline));
        await client.WaitForStatusAsync(account.Id, account.WebhookId, "Succeeded");

        using var resend = await client.PostAsync(ResendPath(account.Id, account.WebhookId), content: null);

        await AssertStatusAsync(resend, HttpStatusCode.Accepted);
        Assert.Equal(account.WebhookId, (await ReadJsonAsync(resend)).Text("webhookId"));
        var received = await fixture.Receiver.WaitForRequestsAsync(account.ReceiverPath, 2, Deadline);
        Assert.Equal(account.WebhookId, received[1].WebhookId);
        Assert.Equal(first.Body, received[1].Body);
        var entry = await client.WaitForEntryAsync(account.Id, account.WebhookId, e => e.GetProperty("attempts").GetInt32() == 2);
        Assert.Equal("Succeeded", entry.Text("status"));
        Assert.Equal([1, 2], entry.GetProperty("attemptHistory").EnumerateArray().Select(a => a.GetProperty("number").GetInt32()));
        var item = Assert.Single(await client.ReadWholeLogAsync(account.Id));
        Assert.Equal(2, item.GetProperty("attempts").GetInt32());
        Assert.Equal("Succeeded", item.Text("status"));
    }

    [Theory]
    [InlineData("0123456789abc")]
    [InlineData("not-a-webhook")]
    [InlineData("0123456789ABC")]
    [InlineData("0123456789abcd")]
    public async Task Resend_and_entry_of_an_unknown_or_malformed_webhook_id_get_404(string webhookId)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);

        using var resend = await client.PostAsync(ResendPath(account.Id, webhookId), content: null);
        using var entry = await client.GetAsync(EntryPath(account.Id, webhookId));

        await AssertProblemAsync(resend, HttpStatusCode.NotFound);
        await AssertProblemAsync(entry, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_log_searches_by_webhook_id_or_response_id_within_the_account()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));
        using var client = fixture.App.CreateClient(key);
        var responseId = NewResponseId();
        var transactional = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId));
        var relationship = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId, "Relationship"));
        var other = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var elsewhere = await fixture.CreateWebhookAccountAsync();

        Assert.Equal(new[] { relationship, transactional }.Order(), Ids(await client.ReadWholeLogAsync(accountId, "search=" + responseId)).Order());
        Assert.Equal([relationship], Ids(await client.ReadWholeLogAsync(accountId, $"search={responseId}&listeningPost=Relationship")));
        Assert.Equal([other], Ids(await client.ReadWholeLogAsync(accountId, $"search=%20{other}%20")));
        Assert.Empty(await client.ReadWholeLogAsync(accountId, "search=" + elsewhere.WebhookId));
        Assert.Empty(await client.ReadWholeLogAsync(accountId, "search=" + new string('x', WebhookLogEndpointsMaxSearch)));

        using var tooLong = await client.GetAsync(LogPath(accountId, "search=" + new string('x', WebhookLogEndpointsMaxSearch + 1)));
        await AssertInvalidAsync(tooLong, "search");
    }

    private const int WebhookLogEndpointsMaxSearch = CIOPulse.Api.Endpoints.WebhookLogEndpoints.MaxSearchLength;

    private static IReadOnlyList<string> Ids(IEnumerable<System.Text.Json.JsonElement> items) => [.. items.Select(i => i.Text("webhookId"))];

    private static void AssertNewestActivityFirst(IReadOnlyList<System.Text.Json.JsonElement> items)
    {
        for (var i = 1; i < items.Count; i++)
        {
            Assert.True(items[i - 1].Time("lastActivityUtc") >= items[i].Time("lastActivityUtc"),
                $"Item {i} is newer than item {i - 1}: {items[i]} after {items[i - 1]}");
        }
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class WebhookLogTestsInMemory(MemorySiloAppFixture fixture) : WebhookLogTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class WebhookLogTestsOnPostgres(PostgresSiloAppFixture fixture) : WebhookLogTests(fixture);
