using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api.Portal;

/// <summary>
/// The customer portal at <c>/portal</c>, served by whatever hosts the API (a silo or a gateway):
/// Razor Pages, the session cookie, the cluster-wide Data Protection key ring, the live log stream
/// and the portal's own assets and headers.
/// </summary>
public static partial class PortalExtensions
{
    public const string ApplicationName = "CIOPulse.Portal";

    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddRazorPages(pages =>
            {
                pages.RootDirectory = "/Portal/Pages";
                pages.Conventions.AuthorizeFolder("/", PortalAuthentication.Policy);
                pages.Conventions.AllowAnonymousToPage("/SignIn");
                pages.Conventions.AllowAnonymousToPage("/Error");
            })
            // The pages live in this assembly, which is not the entry assembly when a silo hosts them.
            .ConfigureApplicationPartManager(parts =>
            {
                var assembly = typeof(PortalExtensions).Assembly;
                if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(part => part.Assembly == assembly))
                {
                    foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                    {
                        parts.ApplicationParts.Add(part);
                    }
                }
            });
        services.AddPortalAuthentication();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = PortalAuthentication.CookieName + ".form";
            antiforgery.Cookie.Path = PortalPaths.Root;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // Every node signs cookies and form tokens with the cluster's key ring (see ClusterXmlRepository).
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(keys =>
        {
            var grains = sp.GetRequiredService<IGrainFactory>();
            keys.XmlRepository = new ClusterXmlRepository(grains);
            keys.XmlEncryptor = new ClusterXmlEncryptor(grains);
        }));
        return services;
    }

    /// <summary>The portal's middleware, before the endpoints: its headers, and HTML error pages for its addresses.</summary>
    public static IApplicationBuilder UsePortal(this IApplicationBuilder app)
    {
        app.UsePortalSecurityHeaders();
        app.UseWhen(IsPortalRequest, portal =>
        {
            portal.UseExceptionHandler(PortalPaths.Error);
            portal.UseStatusCodePagesWithReExecute(PortalPaths.Error, "?status={0}");
        });
        return app;
    }

    public static bool IsPortalRequest(HttpContext context) => context.Request.Path.StartsWithSegments(PortalPaths.Root);

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapLiveLog();
        app.MapPortalAssets();
        app.Lifetime.ApplicationStarted.Register(() => LogPortalAddresses(app));
        return app;
    }

    private static void LogPortalAddresses(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CIOPulse.Portal");
        var addresses = string.Join(", ", app.Urls.Select(url => url.TrimEnd('/') + PortalPaths.Root));
        LogPortalAddress(logger, addresses);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Portal at {Addresses} (sign in with an account key, or with the system key and an account id)")]
    private static partial void LogPortalAddress(ILogger logger, string addresses);
}
