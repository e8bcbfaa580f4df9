using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api;

/// <summary>
/// How many test webhooks ("Send test") one account may send: <c>Api:RateLimits:TestWebhooksPerMinute</c>
/// a minute on this node, spread evenly (a token bucket of that size, refilled one token at a time),
/// counted once for the API route and the portal's button. A test is an interactive action that
/// makes a real POST to the account's receiver, so the limit is small.
/// </summary>
public sealed class TestWebhookLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public TestWebhookLimiter(IOptions<RateLimitOptions> options)
    {
        PerMinute = options.Value.TestWebhooksPerMinute;
        var perMinute = PerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(accountId => perMinute == 0
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetTokenBucketLimiter(accountId, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Tests a minute per account; 0: not limited.</summary>
    public int PerMinute { get; }

    /// <summary>A permit for one test of <paramref name="accountId"/>; not acquired when the account is over its limit.</summary>
    public RateLimitLease Acquire(string accountId) => _limiter.AttemptAcquire(accountId);

    /// <summary>Whole seconds until a refused lease's account may test again (at least 1).</summary>
    public static int RetryAfterSeconds(RateLimitLease refused) =>
        Math.Max(1, (int)Math.Ceiling((refused.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1)).TotalSeconds));

    /// <summary>What a refused test is told (the API's problem detail and the portal's message).</summary>
    public string RefusalText(int retryAfterSeconds) =>
        $"Too many test webhooks for this account: at most {PerMinute.ToString(CultureInfo.InvariantCulture)} a minute (Api:RateLimits:TestWebhooksPerMinute). " +
        $"Nothing was sent; try again in {retryAfterSeconds.ToString(CultureInfo.InvariantCulture)} s.";

    public void Dispose() => _limiter.Dispose();
}
