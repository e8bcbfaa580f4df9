using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Operations;

/// <summary>
/// One structured log line per attempt, at Information: the Webhook_ID, the attempt number, the
/// outcome class, the status code and the duration as fields; never the receiver's body, the
/// password or the payload.
/// </summary>
public sealed class AttemptLogTests
{
    [Fact]
    public async Task Each_attempt_logs_one_line_with_its_fields_and_no_secret_or_body()
    {
        var logged = new CapturingLoggerProvider();
        await using var receiver = await TestReceiver.StartAsync();
        await using var app = await SiloApp.StartAsync(
            new Dictionary<string, string> { ["Logging:LogLevel:CIOPulse"] = "Information" },
            services: services => services.AddSingleton<ILoggerProvider>(logged));
        var accountId = await app.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        const string password = "log-test-password-7f3a";
        await app.SetSettingsAsync(accountId, Settings(receiver.UrlFor(path, n => n == 1 ? ReceiverResponse.Fail(503, "receiver-body-text") : ReceiverResponse.Ok), username: "logger", password: password));

        var webhookId = await app.PostAcceptedCompletionAsync(accountId, Completion("log-1"));
        using var client = app.CreateClient();
        await client.WaitForStatusAsync(accountId, webhookId, "Succeeded");

        var lines = await Eventually.ReachAsync(
            () => Task.FromResult(logged.Entries.Where(e => e.Message.StartsWith($"Webhook {webhookId}: attempt", StringComparison.Ordinal)).ToList()),
            found => found.Count >= 2,
            "two attempt lines are logged");
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.Equal(LogLevel.Information, line.Level));
        Assert.Contains($"WebhookId={webhookId}", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains("Attempt=1", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains("Outcome=HttpServerError", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains("StatusCode=503", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains("DurationMs=", lines[0].Text, StringComparison.Ordinal);
        Assert.Contains("Attempt=2", lines[1].Text, StringComparison.Ordinal);
        Assert.Contains("Outcome=Succeeded", lines[1].Text, StringComparison.Ordinal);
        Assert.Contains("StatusCode=200", lines[1].Text, StringComparison.Ordinal);

        var everything = string.Join('\n', logged.Entries.Select(e => e.Text));
        Assert.DoesNotContain(password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("receiver-body-text", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("SR_Notes_URL", everything, StringComparison.Ordinal); // no payload
    }
}
