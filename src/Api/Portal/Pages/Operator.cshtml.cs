using CIOPulse.Api.Auth;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>The operator view's account switch: a session made with the system key opens another account.</summary>
public sealed class OperatorModel : PortalPageModel
{
    public string? Error { get; private set; }

    public IActionResult OnGet() => Redirect(PortalPaths.Log);

    public async Task<IActionResult> OnPostAsync([FromForm] string? accountId)
    {
        accountId = accountId?.Trim();
        if (!Viewer.IsOperator)
        {
            Error = "Only a session signed in with the system key can open other accounts.";
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }

        if (!AccountIds.IsValid(accountId) || await Grains.GetGrain<IAccountGrain>(accountId!).Get() is null)
        {
            Error = $"There is no account '{accountId}'.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        await PortalAuthentication.SignInAsync(HttpContext, Viewer with { AccountId = accountId! });
        return Redirect(PortalPaths.Log);
    }
}
