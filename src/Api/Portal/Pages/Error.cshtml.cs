using CIOPulse.Api.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>The portal's answer to an unknown address or a failure: a page that says what happened, never internals.</summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Status { get; private set; }

    public string Heading { get; private set; } = "";

    public string Message { get; private set; } = "";

    public IActionResult OnGet(int? status) => Show(status);

    public IActionResult OnPost(int? status) => Show(status);

    private PageResult Show(int? status)
    {
        var exception = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        var unavailable = exception is not null && ServiceUnavailableExceptionHandler.IsUnavailable(exception);
        Status = exception is null ? status ?? StatusCodes.Status404NotFound : unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        (Heading, Message) = Status switch
        {
            StatusCodes.Status404NotFound => ("Page not found", "There is nothing at this address."),
            StatusCodes.Status400BadRequest => ("That request was not understood", "Go back and try again; if you came from a bookmark, start again from the Webhook Log."),
            StatusCodes.Status503ServiceUnavailable => ("The service is busy or restarting", "Nothing was changed. Try again in a few seconds."),
            _ => ("Something went wrong", "Nothing was changed. Try again; if it keeps happening, tell CIOPulse support the time it happened."),
        };
        if (unavailable)
        {
            Response.Headers.RetryAfter = "5";
        }

        Response.StatusCode = Status;
        return Page();
    }
}
