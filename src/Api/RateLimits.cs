using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using CIOPulse.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api;

/// <summary>
/// The <c>Api:RateLimits</c> section: token buckets, per node. A rate of 0 turns that limit off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Api:RateLimits";

    /// <summary>Survey completions accepted per second for one account, sustained.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:RateLimits:CompletionsPerSecond must be from 0 (off) to 1000000.")]
    public int CompletionsPerSecond { get; set; } = 200;

    /// <summary>Completions one account may post at once above the sustained rate (the bucket's size).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Api:RateLimits:CompletionsBurst must be from 1 to 1000000.")]
    public int CompletionsBurst { get; set; } = 2000;

    /// <summary>API requests per second with one account key (the system key is not limited by key).</summary>
    [Range(0, 1_000_000, ErrorMessage = "Api:RateLimits:RequestsPerSecondPerKey must be from 0 (off) to 1000000.")]
    public int RequestsPerSecondPerKey { get; set; } = 100;

    /// <summary>Requests one account key may make at once above the sustained rate.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Api:RateLimits:RequestsBurstPerKey must be from 1 to 1000000.")]
    public int RequestsBurstPerKey { get; set; } = 200;

    /// <summary>Test webhooks ("Send test") one account may send a minute, through the API and the portal together.</summary>
    [Range(0, 10_000, ErrorMessage = "Api:RateLimits:TestWebhooksPerMinute must be from 0 (off) to 10000.")]
    public int TestWebhooksPerMinute { get; set; } = 10;
}

/// <summary>
/// ASP.NET Core rate limiting for the API: completions per account (the "completions" policy on
/// that route) and requests per account key (every API request that presents one). A refusal is a
/// 429 problem detail with Retry-After; nothing refused was accepted.
/// </summary>
public static class RateLimits
{
    public const string CompletionsPolicy = "completions";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.AddPolicy(CompletionsPolicy, context =>
            {
                var accountId = context.GetRouteValue("accountId") as string ?? "";
                return limits.CompletionsPerSecond == 0
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetTokenBucketLimiter(accountId, _ => Bucket(limits.CompletionsPerSecond, limits.CompletionsBurst));
            });
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var key = context.Request.Headers[ApiKeyAuthenticator.HeaderName].ToString();
                if (limits.RequestsPerSecondPerKey == 0 || ApiKeys.AccountIdOf(key) is null || Portal.PortalExtensions.IsPortalRequest(context))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                // Partitioned by the key's hash, so the limiter holds no key.
                return RateLimitPartition.GetTokenBucketLimiter(ApiKeys.Hash(key), _ => Bucket(limits.RequestsPerSecondPerKey, limits.RequestsBurstPerKey));
            });
            limiter.OnRejected = RejectAsync;
        });
        services.AddRateLimiter(_ => { });
        services.AddSingleton<TestWebhookLimiter>();
        return services;
    }

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst)
    {
        // Refilled ten times a second when the rate divides evenly, so a client that waits a moment
        // is not made to wait a whole second; otherwise once a second, so the rate stays exact.
        var tenths = perSecond % 10 == 0;
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            ReplenishmentPeriod = tenths ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1),
            TokensPerPeriod = tenths ? perSecond / 10 : perSecond,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        // The per-key limiter counts account keys only; any other refusal is the completions policy's.
        var completions = ApiKeys.AccountIdOf(context.Request.Headers[ApiKeyAuthenticator.HeaderName].ToString()) is null;
        var detail = completions
            ? $"Too many survey completions for this account: at most {limits.CompletionsPerSecond} a second (bursts of {limits.CompletionsBurst}). Nothing was accepted; retry after {seconds} s."
            : $"Too many requests with this API key: at most {limits.RequestsPerSecondPerKey} a second (bursts of {limits.RequestsBurstPerKey}). Retry after {seconds} s.";
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = detail },
        });
    }
}
