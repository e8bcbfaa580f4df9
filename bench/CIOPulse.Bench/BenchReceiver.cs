using System.Collections.Concurrent;
using System.Diagnostics;

namespace CIOPulse.Bench;

/// <summary>
/// The loopback receiver of the benchmark: answers 200 (or 500 to the first <c>failFirst</c>
/// attempts of each webhook) and records when each Webhook_ID first arrived with a 200 and how many
/// POSTs it got. Reads the id from the X-CIOPulse-Webhook-Id header, so it does no JSON work.
/// It listens on one port of several loopback addresses (127.0.0.1, 127.0.0.2, …), so that accounts
/// pointed at different ones are different destinations to the service, as customers' APIs are.
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

    public Uri Url => Urls[0];

    /// <summary>The same receiver at each of its loopback addresses.</summary>
    public IReadOnlyList<Uri> Urls { get; private set; } = [];

    /// <summary>POSTs that came without Basic credentials (the benchmark's accounts all have them).</summary>
    public int WithoutBasicAuth => _withoutBasicAuth;

    private int _withoutBasicAuth;

    /// <summary>Webhook_ID → Stopwatch timestamp of the successful (200) arrival.</summary>
    public ConcurrentDictionary<string, long> Delivered { get; } = new(StringComparer.Ordinal);

    public int TotalPosts => _posts.Values.Sum();

    public int Duplicates { get; private set; }

    public static async Task<BenchReceiver> StartAsync(int failFirst, int addresses = 1)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var port = BenchSupport.FreePort();
        builder.WebHost.UseUrls([.. Enumerable.Range(1, addresses).Select(i => $"http://127.0.0.{i}:{port}")]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new BenchReceiver(app, failFirst);
        app.MapPost("/hook", (Delegate)receiver.Handle);
        await app.StartAsync();
        receiver.Urls = [.. Enumerable.Range(1, addresses).Select(i => new Uri($"http://127.0.0.{i}:{port}/hook"))];
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
        if (!context.Request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _withoutBasicAuth);
        }

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
