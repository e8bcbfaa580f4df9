namespace CIOPulse.Api.Auth;

/// <summary>Who sent a request: the system, or one account (by its key).</summary>
public sealed record Caller(string? AccountId)
{
    public static readonly Caller System = new((string?)null);

    public bool IsSystem => AccountId is null;

    public bool MayAccess(string accountId) => IsSystem || AccountId == accountId;
}
