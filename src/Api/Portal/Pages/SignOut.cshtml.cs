using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>Ends the session (a POST with the form token, so no other site can sign anyone out).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect(PortalPaths.Log);

    public async Task<IActionResult> OnPostAsync()
    {
        await PortalAuthentication.SignOutAsync(HttpContext);
        return Redirect(PortalPaths.SignIn + "?signedOut=true");
    }
}
