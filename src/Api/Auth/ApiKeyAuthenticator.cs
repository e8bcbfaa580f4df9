using System.Security.Cryptography;
using System.Text;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api.Auth;

/// <summary>Turns the <c>X-Api-Key</c> header into a <see cref="Caller"/>, or null when it is missing or wrong.</summary>
public sealed class ApiKeyAuthenticator(IGrainFactory grains, IOptions<ApiOptions> options)
{
    public const string HeaderName = "X-Api-Key";

    public async Task<Caller?> AuthenticateAsync(HttpContext context)
    {
        var presented = context.Request.Headers[HeaderName].ToString();
        if (presented.Length is 0 or > 512)
        {
            return null;
        }

        if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.Value.SystemKey)))
        {
            return Caller.System;
        }

        if (ApiKeys.AccountIdOf(presented) is not { } accountId || !AccountIds.IsValid(accountId))
        {
            return null;
        }

        return await grains.GetGrain<IAccountGrain>(accountId).HasKey(ApiKeys.Hash(presented)) ? new Caller(accountId) : null;
    }
}
