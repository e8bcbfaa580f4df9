using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CIOPulse.Api.Portal;

/// <summary>
/// A signed-in portal screen: the viewer from the session and the account it opens, loaded before
/// the handler runs. A session whose account is gone ends at once.
/// </summary>
public abstract class PortalPageModel : PageModel
{
    public PortalViewer Viewer { get; private set; } = null!;

    public Account Account { get; private set; } = null!;

    protected IGrainFactory Grains => HttpContext.RequestServices.GetRequiredService<IGrainFactory>();

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        if (PortalViewer.From(User) is not { } viewer
            || await Grains.GetGrain<IAccountGrain>(viewer.AccountId).Get() is not { } account)
        {
            await PortalAuthentication.SignOutAsync(HttpContext);
            context.Result = new RedirectResult(PortalPaths.SignIn);
            return;
        }

        Viewer = viewer;
        Account = account;
        await next();
    }
}
