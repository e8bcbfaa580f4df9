using System.Net;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Abuse limits (Api:RateLimits, here 1 a second with bursts of 3): one account's completions and
/// one account key's requests are refused with 429 problem details and Retry-After past their
/// bucket, while other accounts, other keys and the system key go on; nothing refused is accepted.
/// </summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private SiloApp _app = null!;

    public async Task InitializeAsync() => _app = await SiloApp.StartAsync(new Dictionary<string, string>
    {
        ["Api:RateLimits:CompletionsPerSecond"] = "1",
        ["Api:RateLimits:CompletionsBurst"] = "3",
        ["Api:RateLimits:RequestsPerSecondPerKey"] = "1",
        ["Api:RateLimits:RequestsBurstPerKey"] = "3",
    });

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_account_past_its_completion_burst_gets_429_with_Retry_After_and_others_are_not_slowed()
    {
        var flooding = await _app.CreateAccountAsync();
        var quiet = await _app.CreateAccountAsync();
        using var client = _app.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await client.PostCompletionAsync(flooding, Completion($"flood-{i}")));
        }

        try
        {
            // Webhooks are off for these accounts, so an accepted completion answers 200 without a webhook.
            var accepted = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
            var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.InRange(accepted, 3, 4); // the burst, and perhaps one token refilled meanwhile
            Assert.Equal(6, accepted + refused.Count);
            foreach (var answer in refused)
            {
                var problem = await AssertProblemAsync(answer, HttpStatusCode.TooManyRequests);
                Assert.Contains("survey completions for this account", Detail(problem), StringComparison.Ordinal);
                Assert.True(answer.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");
            }

            using (var other = await client.PostCompletionAsync(quiet, Completion("quiet-1")))
            {
                await AssertStatusAsync(other, HttpStatusCode.OK);
            }

            // After Retry-After the bucket has refilled, give or take its refill timer's tick.
            var retryAfter = refused[^1].Headers.RetryAfter!.Delta!.Value;
            await Task.Delay(retryAfter);
            var later = await Eventually.ReachAsync(
                async () =>
                {
                    using var answer = await client.PostCompletionAsync(flooding, Completion("flood-later"));
                    return answer.StatusCode;
                },
                status => status == HttpStatusCode.OK,
                "a completion is accepted again once Retry-After has passed",
                retryAfter,
                TimeSpan.FromMilliseconds(100));
            Assert.Equal(HttpStatusCode.OK, later);
        }
        finally
        {
            answers.ForEach(a => a.Dispose());
        }
    }

    [Fact]
    public async Task Nothing_refused_with_429_is_accepted()
    {
        var accountId = await _app.CreateAccountAsync();
        await using var receiver = await TestReceiver.StartAsync();
        await _app.SetSettingsAsync(accountId, Settings(receiver.UrlFor(ReceiverPathFor(accountId))));
        using var client = _app.CreateClient();

        var accepted = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var answer = await client.PostCompletionAsync(accountId, Completion($"r-{i}"));
            if (answer.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add((await ReadJsonAsync(answer)).Text("webhookId"));
            }
            else
            {
                await AssertProblemAsync(answer, HttpStatusCode.TooManyRequests);
            }
        }

        await receiver.WaitForRequestsAsync(ReceiverPathFor(accountId), accepted.Count, Deadline);
        var logged = await client.ReadWholeLogAsync(accountId);
        Assert.Equal(accepted.Order(), logged.Select(e => e.Text("webhookId")).Order());
        Assert.InRange(accepted.Count, 3, 4);
        await receiver.AssertRequestCountStaysAsync(ReceiverPathFor(accountId), accepted.Count, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task One_account_key_past_its_burst_gets_429_while_another_key_and_the_system_key_go_on()
    {
        var accountId = await _app.CreateAccountAsync();
        var key = await _app.IssueKeyAsync(accountId);
        var otherKey = await _app.IssueKeyAsync(accountId);
        using var busy = _app.CreateClient(key);
        using var other = _app.CreateClient(otherKey);
        using var system = _app.CreateClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 6; i++)
        {
            var answer = await busy.GetAsync(LogPath(accountId));
            statuses.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused?.Dispose();
                refused = answer;
            }
            else
            {
                answer.Dispose();
            }
        }

        using (refused)
        {
            Assert.NotNull(refused);
            var problem = await AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("requests with this API key", Detail(problem), StringComparison.Ordinal);
            Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 3, 4);
        using (var answer = await other.GetAsync(LogPath(accountId)))
        {
            await AssertStatusAsync(answer, HttpStatusCode.OK);
        }

        for (var i = 0; i < 10; i++)
        {
            using var answer = await system.GetAsync(LogPath(accountId));
            await AssertStatusAsync(answer, HttpStatusCode.OK);
        }
    }
}
