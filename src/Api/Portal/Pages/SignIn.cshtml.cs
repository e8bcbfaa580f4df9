using CIOPulse.Api.Auth;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// Exchanges an API key for a session cookie. The key arrives only in the form body; it is never
/// echoed back, put in a URL or logged, and a wrong key shows nothing of any account.
/// </summary>
public sealed class SignInModel(ApiKeyAuthenticator authenticator, IGrainFactory grains) : PageModel
{
    public const string WrongKey = "That key was not accepted. Check that you copied the whole key and try again.";

    public string? Error { get; private set; }

    public string? AccountId { get; private set; }

    public string? ReturnUrl { get; private set; }

    public bool SignedOut { get; private set; }

    public IActionResult OnGet(string? returnUrl, bool signedOut = false)
    {
        if (PortalViewer.From(User) is not null && !signedOut)
        {
            return Redirect(SafeReturnUrl(returnUrl));
        }

        ReturnUrl = returnUrl;
        SignedOut = signedOut;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? key, [FromForm] string? accountId, [FromForm] string? returnUrl)
    {
        ReturnUrl = returnUrl;
        AccountId = accountId?.Trim();
        key = key?.Trim() ?? "";
        var caller = await authenticator.AuthenticateAsync(key);
        if (caller is null)
        {
            return Refuse(WrongKey);
        }

        string opened;
        if (caller.IsSystem)
        {
            if (string.IsNullOrEmpty(AccountId))
            {
                return Refuse("With the system key, also enter the ID of the account to open.");
            }

            if (!AccountIds.IsValid(AccountId) || await grains.GetGrain<IAccountGrain>(AccountId).Get() is null)
            {
                return Refuse($"There is no account '{AccountId}'.");
            }

            opened = AccountId;
        }
        else
        {
            opened = caller.AccountId!;
        }

        await PortalAuthentication.SignInAsync(HttpContext, new PortalViewer(opened, caller.IsSystem, ApiKeys.Hash(key)));
        return Redirect(SafeReturnUrl(returnUrl));
    }

    private PageResult Refuse(string error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    /// <summary>Only a portal address of this site: a sign-in link must not send anyone elsewhere.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith(PortalPaths.Root + "/", StringComparison.Ordinal) && !url.StartsWith("//", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            ? url
            : PortalPaths.Log;
}
