using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CIOPulse.Api.Portal.Pages;

/// <summary><c>/portal</c>: the Webhook Log (signing in first when needed).</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect(PortalPaths.Log);
}
