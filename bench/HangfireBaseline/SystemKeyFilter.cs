using System.Security.Cryptography;
using System.Text;
using CIOPulse.Api;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Problems;
using Microsoft.Extensions.Options;

namespace CIOPulse.HangfireBaseline;

/// <summary>Every baseline endpoint takes the system key (the benchmark needs no account keys).</summary>
public static class SystemKeyFilter
{
    public static RouteGroupBuilder RequireSystemKey(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var presented = context.HttpContext.Request.Headers[ApiKeyAuthenticator.HeaderName].ToString();
            var systemKey = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.SystemKey;
            return presented.Length is > 0 and <= 512
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(systemKey))
                ? await next(context)
                : ApiProblems.Unauthorized();
        });
}
