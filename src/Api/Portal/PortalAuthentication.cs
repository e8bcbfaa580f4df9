using CIOPulse.Api.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace CIOPulse.Api.Portal;

/// <summary>
/// The portal's session: a cookie made at sign-in from an account key (or the system key), HttpOnly,
/// SameSite=Strict, Secure when the request came over HTTPS, scoped to <c>/portal</c>, and checked
/// on every request against the key it was made from. The key itself is in no cookie, URL or page.
/// </summary>
public static class PortalAuthentication
{
    public const string Scheme = "Portal";
    public const string Policy = "Portal";
    public const string CookieName = "ciopulse.portal";

    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddPortalAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(Scheme).AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.Path = PortalPaths.Root;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = SessionLifetime;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = PortalPaths.SignIn;
            cookie.LogoutPath = PortalPaths.SignOut;
            cookie.AccessDeniedPath = PortalPaths.SignIn;
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Events.OnValidatePrincipal = ValidateAsync;
            cookie.Events.OnRedirectToLogin = context =>
            {
                // The live stream and page fragments are fetched by script: a 401 tells it to stop, a redirect would not.
                if (context.Request.Path.StartsWithSegments(PortalPaths.Live) || context.Request.Query.ContainsKey("handler"))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }

                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => PortalViewer.From(context.User) is not null));
        return services;
    }

    public static Task SignInAsync(HttpContext context, PortalViewer viewer) =>
        context.SignInAsync(Scheme, viewer.ToPrincipal(), new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });

    public static Task SignOutAsync(HttpContext context) => context.SignOutAsync(Scheme);

    /// <summary>A session whose key was replaced (or whose system key changed) ends at its next request.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var authenticator = context.HttpContext.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
        if (PortalViewer.From(context.Principal) is not { } viewer || !await authenticator.IsStillValidAsync(viewer.Caller, viewer.KeyHash))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
