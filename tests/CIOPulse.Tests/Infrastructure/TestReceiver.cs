using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A real HTTP receiver on loopback (Kestrel on 127.0.0.1, a free port). It records every request and
/// answers as the test's script says, per path and per attempt, so each test can give its webhooks
/// their own behaviour on one shared receiver: point an account at <see cref="UrlFor"/>(a path).
/// </summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, Func<int, ReceiverResponse>> _scripts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    private TestReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<TestReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TestReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUri = new Uri(address);
        return receiver;
    }

    /// <summary>A fresh path on this receiver, answered by <paramref name="script"/> (attempt number from 1 → response); 200 "ok" when null.</summary>
    public string UrlFor(string path, Func<int, ReceiverResponse>? script = null)
    {
        _scripts[Normalize(path)] = script ?? (_ => ReceiverResponse.Ok);
        return new Uri(BaseUri, Normalize(path)).ToString();
    }

    /// <summary>Changes how a path answers from now on.</summary>
    public void Script(string path, Func<int, ReceiverResponse> script) => _scripts[Normalize(path)] = script;

    public IReadOnlyList<ReceivedRequest> RequestsTo(string path) =>
        _requests.Where(r => r.Path == Normalize(path)).OrderBy(r => r.ReceivedUtc).ToList();

    public IReadOnlyList<ReceivedRequest> RequestsFor(string webhookId) =>
        _requests.Where(r => r.WebhookId == webhookId).OrderBy(r => r.ReceivedUtc).ToList();

    /// <summary>Waits until <paramref name="path"/> has received <paramref name="count"/> requests, or fails after <paramref name="timeout"/>.</summary>
    public Task<IReadOnlyList<ReceivedRequest>> WaitForRequestsAsync(string path, int count, TimeSpan timeout) =>
        Eventually.ReachAsync(() => Task.FromResult(RequestsTo(path)), received => received.Count >= count,
            $"{path} receives {count} requests", timeout, describe: received => $"{received.Count} requests");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var attempt = _counts.AddOrUpdate(path, 1, (_, n) => n + 1);
        var script = _scripts.TryGetValue(path, out var found) ? found : _ => new ReceiverResponse(404, "no such path");
        var response = script(attempt);

        _requests.Enqueue(new ReceivedRequest(path, WebhookIdOf(body), body, context.Request.ContentType,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, DateTime.UtcNow, response.Status,
            context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase)));

        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = response.Status;
        if (response.RedirectTo is { } location)
        {
            context.Response.Headers.Location = location;
        }

        await context.Response.WriteAsync(response.Body);
    }

    private static string? WebhookIdOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement.TryGetProperty("variables", out var wrapped) ? wrapped : json.RootElement;
            return root.TryGetProperty("Webhook_ID", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Normalize(string path) => path.StartsWith('/') ? path : "/" + path;
}
