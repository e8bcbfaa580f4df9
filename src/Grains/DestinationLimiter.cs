using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Bounds the webhook requests in flight to one destination (scheme, host and port), so that one
/// account's slow or hanging receiver holds at most <c>Webhooks:MaxRequestsPerDestination</c>
/// connections and every other destination keeps its own. Attempts over the limit wait, in arrival
/// order, holding no connection and no thread; at most <c>Webhooks:MaxQueuedPerDestination</c> wait
/// at once, and none longer than <c>Webhooks:AttemptTimeout</c>.
/// </summary>
public sealed class DestinationLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public DestinationLimiter(IOptions<WebhookOptions> options)
    {
        var settings = options.Value;
        PermitLimit = settings.MaxRequestsPerDestination;
        QueueLimit = settings.MaxQueuedPerDestination;
        // One concurrency limiter per destination; the partitioned limiter drops idle ones itself.
        _limiter = PartitionedRateLimiter.Create<string, string>(destination => RateLimitPartition.GetConcurrencyLimiter(
            destination,
            _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = PermitLimit,
                QueueLimit = QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
    }

    public int PermitLimit { get; }

    public int QueueLimit { get; }

    /// <summary>The destination a URL's requests count against: its scheme, host and port.</summary>
    public static string DestinationOf(Uri url) => url.GetLeftPart(UriPartial.Authority).ToLowerInvariant();

    /// <summary>
    /// A slot for one request to <paramref name="destination"/>, waiting for one until
    /// <paramref name="cancellationToken"/> fires; <see cref="RateLimitLease.IsAcquired"/> is false
    /// when the queue was full. Dispose the lease when the answer has been read.
    /// </summary>
    public ValueTask<RateLimitLease> AcquireAsync(string destination, CancellationToken cancellationToken) =>
        _limiter.AcquireAsync(destination, 1, cancellationToken);

    /// <summary>A slot for one request to <paramref name="destination"/> if one is free now (and nobody waits before this one).</summary>
    public RateLimitLease AttemptAcquire(string destination) => _limiter.AttemptAcquire(destination, 1);

    public void Dispose() => _limiter.Dispose();
}
