using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CIOPulse.Bench;

/// <summary>
/// The loopback receiver of the benchmark: answers 200 (or 500 to the first <c>failFirst</c>
/// attempts of each webhook) and records when each Webhook_ID first arrived with a 200 and how many
/// POSTs it got. Reads the id from the X-CIOPulse-Webhook-Id header, so it does no JSON work.
/// </summary>
public sealed class BenchReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly int _failFirst;
    private readonly ConcurrentDictionary<string, int> _posts = new(StringComparer.Ordinal);

    private BenchReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        _failFirst = failFirst;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Webhook_ID → Stopwatch timestamp of the successful (200) arrival.</summary>
    public ConcurrentDictionary<string, long> Delivered { get; } = new(StringComparer.Ordinal);

    public int TotalPosts => _posts.Values.Sum();

    public int Duplicates { get; private set; }

    public static async Task<BenchReceiver> StartAsync(int failFirst)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new BenchReceiver(app, failFirst);
        app.MapPost("/hook", (Delegate)receiver.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> Handle(HttpContext context)
    {
        var now = Stopwatch.GetTimestamp();
        var id = context.Request.Headers["X-CIOPulse-Webhook-Id"].ToString();
        await context.Request.Body.CopyToAsync(Stream.Null);
        var n = _posts.AddOrUpdate(id, 1, (_, c) => c + 1);
        if (n <= _failFirst)
        {
            return Results.StatusCode(500);
        }

        if (!Delivered.TryAdd(id, now))
        {
            lock (_posts)
            {
                Duplicates++;
            }
        }

        return Results.Text("ok");
    }
}
