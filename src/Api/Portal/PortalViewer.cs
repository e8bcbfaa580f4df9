using System.Security.Claims;
using CIOPulse.Api.Auth;

namespace CIOPulse.Api.Portal;

/// <summary>
/// Who is signed in to the portal, as the session cookie says: the account they are looking at,
/// whether they signed in with the system key (the operator view), and the hash of the key they
/// used, so a session ends when its key no longer opens the account.
/// </summary>
public sealed record PortalViewer(string AccountId, bool IsOperator, string KeyHash)
{
    private const string AccountClaim = "ciopulse:account";
    private const string OperatorClaim = "ciopulse:operator";
    private const string KeyHashClaim = "ciopulse:key-hash";

    public Caller Caller => IsOperator ? Caller.System : new Caller(AccountId);

    public ClaimsPrincipal ToPrincipal() => new(new ClaimsIdentity(
        [
            new Claim(AccountClaim, AccountId),
            new Claim(OperatorClaim, IsOperator ? "true" : "false"),
            new Claim(KeyHashClaim, KeyHash),
        ],
        PortalAuthentication.Scheme));

    /// <summary>The viewer of a signed-in principal, or null when it is not a portal session.</summary>
    public static PortalViewer? From(ClaimsPrincipal? principal) =>
        principal?.FindFirst(AccountClaim)?.Value is { } accountId
        && AccountIds.IsValid(accountId)
        && principal.FindFirst(KeyHashClaim)?.Value is { Length: > 0 } keyHash
            ? new PortalViewer(accountId, principal.FindFirst(OperatorClaim)?.Value == "true", keyHash)
            : null;
}
