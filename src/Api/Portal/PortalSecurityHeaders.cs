namespace CIOPulse.Api.Portal;

/// <summary>
/// The headers every portal response carries: a Content-Security-Policy that runs only the portal's
/// own script file (no inline script, no eval) and lets no other site frame it, no MIME sniffing,
/// no referrer, and no caching of signed-in pages (a shared computer's Back button must not show a
/// log after sign-out).
/// </summary>
public static class PortalSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IApplicationBuilder UsePortalSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (PortalExtensions.IsPortalRequest(context))
            {
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "no-referrer";
                    headers["Cross-Origin-Opener-Policy"] = "same-origin";
                    if (!context.Request.Path.StartsWithSegments(PortalPaths.Assets))
                    {
                        headers.CacheControl = "no-store";
                    }

                    return Task.CompletedTask;
                });
            }

            return next(context);
        });
}
