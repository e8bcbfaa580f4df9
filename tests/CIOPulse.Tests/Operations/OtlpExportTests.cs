using System.Globalization;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Operations;

/// <summary>With OTEL_EXPORTER_OTLP_ENDPOINT set, the node sends its spans there (OTLP over HTTP, protobuf).</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task With_an_OTLP_endpoint_the_attempt_spans_are_exported_to_it()
    {
        await using var receiver = await TestReceiver.StartAsync();
        receiver.UrlFor("/v1/traces");
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.BaseUri.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        var accountId = await app.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        await app.SetSettingsAsync(accountId, Settings(receiver.UrlFor(path)));

        var webhookId = await app.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        await receiver.WaitForRequestsAsync(path, 1, Deadline);
        // Protobuf keeps strings as UTF-8, so the exported attempt span reads in the body as text.
        var export = await Eventually.ReachAsync(
            () => Task.FromResult(receiver.RequestsTo("/v1/traces").FirstOrDefault(request =>
                request.Body.Contains(webhookId, StringComparison.Ordinal) && request.Body.Contains(WebhookTracing.AttemptSpanName, StringComparison.Ordinal))),
            request => request is not null, $"an OTLP export holding the attempt span of webhook {webhookId}", TimeSpan.FromSeconds(15),
            describe: _ => string.Create(CultureInfo.InvariantCulture, $"{receiver.RequestsTo("/v1/traces").Count} exports without it"));
        Assert.Equal("application/x-protobuf", export!.ContentType);
        Assert.Contains(WebhookTracing.SourceName, export.Body, StringComparison.Ordinal);
    }
}
