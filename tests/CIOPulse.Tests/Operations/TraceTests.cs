using System.Diagnostics;
using System.Globalization;
using System.Text;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using Xunit.Abstractions;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Operations;

/// <summary>
/// One trace per webhook: the completion POST's server span, the grain calls, a span per attempt and
/// the attempt's HttpClient span; a retry in a trace of its own, linked to the accepting one; and
/// none of it sent to the receiver.
/// </summary>
public abstract class TraceTests(TraceFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] _contextHeaders = ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    [Fact]
    public async Task A_webhook_retried_once_is_one_trace_from_the_post_to_its_first_attempt_and_a_linked_trace_for_the_retry()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var token = "tok" + Guid.NewGuid().ToString("N");
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var url = fixture.Receiver.UrlFor(path, attempt => attempt == 1 ? ReceiverResponse.Fail(503) : ReceiverResponse.Ok) + "?token=" + token;
        await fixture.App.SetSettingsAsync(accountId, Settings(url, "user", password));
        var responseId = NewResponseId();

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(responseId));

        var received = await fixture.Receiver.WaitForRequestsAsync(path, 2, TimeSpan.FromSeconds(30));
        var attempts = await Eventually.ReachAsync(
            () => Task.FromResult(AttemptSpans(webhookId)),
            spans => spans.Count >= 2 && spans.All(span => ClientChildOf(span) is not null),
            $"two attempt spans of {webhookId}, each with its HTTP client span", TimeSpan.FromSeconds(15),
            describe: spans => $"{spans.Count} attempt spans");
        var post = Assert.Single(fixture.Spans.Snapshot(), span =>
            span.Kind == ActivityKind.Server && Tag(span, "url.path") == "/" + CompletionsPath(accountId) && Tag(span, "http.request.method") == "POST");
        var first = Assert.Single(attempts, span => Tag(span, WebhookTracing.AttemptAttribute) == "1");
        var retry = Assert.Single(attempts, span => Tag(span, WebhookTracing.AttemptAttribute) == "2");
        Print(post.TraceId, retry.TraceId);

        // The first attempt: in the POST's trace, below the grain calls, with its HTTP client span.
        Assert.Equal(post.TraceId, first.TraceId);
        var chain = Ancestors(first);
        Assert.Contains(post, chain);
        Assert.Contains(chain, span => span.Source.Name == "Microsoft.Orleans.Application" && span.DisplayName.Contains("WebhookDelivery", StringComparison.Ordinal));
        Assert.Equal(webhookId, Tag(first, WebhookTracing.WebhookIdAttribute));
        Assert.Equal("503", Tag(first, WebhookTracing.StatusCodeAttribute));
        Assert.Equal("failed", Tag(first, WebhookTracing.OutcomeAttribute));
        Assert.Equal("HttpServerError", Tag(first, WebhookTracing.FailureAttribute));
        Assert.Equal(ActivityStatusCode.Error, first.Status);
        Assert.Empty(first.Links);
        var firstPost = ClientChildOf(first)!;
        Assert.Equal("POST", Tag(firstPost, "http.request.method"));
        Assert.Equal("503", Tag(firstPost, "http.response.status_code"));

        // The retry: a trace of its own, linked to the trace that accepted the webhook.
        Assert.NotEqual(post.TraceId, retry.TraceId);
        var link = Assert.Single(retry.Links);
        Assert.Equal(post.TraceId, link.Context.TraceId);
        Assert.Equal(webhookId, Tag(retry, WebhookTracing.WebhookIdAttribute));
        Assert.Equal("200", Tag(retry, WebhookTracing.StatusCodeAttribute));
        Assert.Equal("succeeded", Tag(retry, WebhookTracing.OutcomeAttribute));
        Assert.Null(Tag(retry, WebhookTracing.FailureAttribute));
        Assert.Equal("200", Tag(ClientChildOf(retry)!, "http.response.status_code"));

        // Nothing of the trace reached the receiver, and no span holds the query string, the password or the payload.
        Assert.Equal(2, received.Count);
        foreach (var request in received)
        {
            Assert.DoesNotContain(request.Headers.Keys, header => _contextHeaders.Contains(header, StringComparer.OrdinalIgnoreCase));
        }

        foreach (var span in SpansOf(post.TraceId, retry.TraceId))
        {
            foreach (var (key, value) in span.TagObjects)
            {
                var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
                Assert.False(text.Contains(token, StringComparison.Ordinal), $"{span.DisplayName} {key} holds the URL's query: {text}");
                Assert.False(text.Contains(password, StringComparison.Ordinal), $"{span.DisplayName} {key} holds the password");
                Assert.False(text.Contains(responseId, StringComparison.Ordinal), $"{span.DisplayName} {key} holds the payload");
            }
        }
    }

    private IReadOnlyList<Activity> AttemptSpans(string webhookId) =>
        [.. fixture.Spans.Snapshot().Where(span => span.Source.Name == WebhookTracing.SourceName && Tag(span, WebhookTracing.WebhookIdAttribute) == webhookId)];

    private Activity? ClientChildOf(Activity parent) =>
        fixture.Spans.Snapshot().FirstOrDefault(span => span.Source.Name == "System.Net.Http" && span.Kind == ActivityKind.Client && span.ParentSpanId == parent.SpanId && span.TraceId == parent.TraceId);

    /// <summary>The captured spans above <paramref name="span"/>, nearest first.</summary>
    private List<Activity> Ancestors(Activity span)
    {
        var spans = SpansOf(span.TraceId).ToDictionary(s => s.SpanId);
        var chain = new List<Activity>();
        for (var at = span; at.ParentSpanId != default && spans.TryGetValue(at.ParentSpanId, out var parent); at = parent)
        {
            chain.Add(parent);
        }

        return chain;
    }

    private IEnumerable<Activity> SpansOf(params ActivityTraceId[] traces) =>
        fixture.Spans.Snapshot().Where(span => traces.Contains(span.TraceId)).OrderBy(span => span.StartTimeUtc);

    private static string? Tag(Activity span, string key) =>
        span.TagObjects.FirstOrDefault(tag => tag.Key == key).Value is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary>The traces as an operator's backend would show them: each span with its parent, links and attributes.</summary>
    private void Print(params ActivityTraceId[] traces)
    {
        foreach (var trace in traces)
        {
            var text = new StringBuilder().Append("trace ").Append(trace).AppendLine();
            foreach (var span in SpansOf(trace))
            {
                text.Append("  ").Append(span.DisplayName).Append(" [").Append(span.Source.Name).Append(", ").Append(span.Kind).Append("] span ").Append(span.SpanId)
                    .Append(" parent ").Append(span.ParentSpanId == default ? "(root)" : span.ParentSpanId.ToString())
                    .Append(span.Status == ActivityStatusCode.Unset ? "" : " status " + span.Status).AppendLine();
                foreach (var link in span.Links)
                {
                    text.Append("      link -> trace ").Append(link.Context.TraceId).Append(" span ").Append(link.Context.SpanId).AppendLine();
                }

                foreach (var (key, value) in span.TagObjects)
                {
                    text.Append("      ").Append(key).Append(" = ").Append(Convert.ToString(value, CultureInfo.InvariantCulture)).AppendLine();
                }
            }

            output.WriteLine(text.ToString());
        }
    }
}

[Collection(TraceCollection.Memory)]
public sealed class TraceTestsInMemory(MemoryTraceFixture fixture, ITestOutputHelper output) : TraceTests(fixture, output);

[Collection(TraceCollection.Postgres)]
public sealed class TraceTestsOnPostgres(PostgresTraceFixture fixture, ITestOutputHelper output) : TraceTests(fixture, output);
