using System.Security.Cryptography;
using System.Text;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api.Auth;

/// <summary>Turns the <c>X-Api-Key</c> header into a <see cref="Caller"/>, or null when it is missing or wrong.</summary>
public sealed class ApiKeyAuthenticator(IGrainFactory grains, IOptions<ApiOptions> options)
{
    public const string HeaderName = "X-Api-Key";

    public Task<Caller?> AuthenticateAsync(HttpContext context) => AuthenticateAsync(context.Request.Headers[HeaderName].ToString());

    /// <summary>The caller a presented key stands for (the portal's sign-in asks the same), or null.</summary>
    public async Task<Caller?> AuthenticateAsync(string presented)
    {
        if (presented.Length is 0 or > 512)
        {
            return null;
        }

        if (IsSystemKey(presented))
        {
            return Caller.System;
        }

        if (ApiKeys.AccountIdOf(presented) is not { } accountId || !AccountIds.IsValid(accountId))
        {
            return null;
        }

        return await grains.GetGrain<IAccountGrain>(accountId).HasKey(ApiKeys.Hash(presented)) ? new Caller(accountId) : null;
    }

    public bool IsSystemKey(string presented) =>
        SameBytes(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.Value.SystemKey));

    /// <summary>Whether <paramref name="keyHash"/> (<see cref="ApiKeys.Hash"/>) is still a key of this caller: an account's issued key, or the current system key.</summary>
    public async Task<bool> IsStillValidAsync(Caller caller, string keyHash) =>
        caller.IsSystem
            ? SameBytes(Encoding.ASCII.GetBytes(keyHash), Encoding.ASCII.GetBytes(ApiKeys.Hash(options.Value.SystemKey)))
            : await grains.GetGrain<IAccountGrain>(caller.AccountId!).HasKey(keyHash);

    /// <summary>
    /// Compares secrets in time that depends only on their length, never on where they first differ,
    /// so answer times cannot be used to guess a key byte by byte.
    /// </summary>
    public static bool SameBytes(ReadOnlySpan<byte> presented, ReadOnlySpan<byte> expected) =>
        CryptographicOperations.FixedTimeEquals(presented, expected);
}
