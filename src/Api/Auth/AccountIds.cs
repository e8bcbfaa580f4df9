using System.Text.RegularExpressions;

namespace CIOPulse.Api.Auth;

public static partial class AccountIds
{
    /// <summary>SPEC §3: <c>[a-z0-9-]{1,64}</c>.</summary>
    public static bool IsValid(string? accountId) => accountId is not null && Pattern().IsMatch(accountId);

    [GeneratedRegex("^[a-z0-9-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
