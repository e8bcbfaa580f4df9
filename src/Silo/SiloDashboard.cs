using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Text;
using CIOPulse.Api.Auth;
using Orleans.Dashboard;

namespace CIOPulse.Silo;

/// <summary>The <c>Dashboard</c> configuration section: Orleans' dashboard on the silo, off by default.</summary>
public sealed class DashboardSettings
{
    public const string SectionName = "Dashboard";

    /// <summary>Serves Orleans' dashboard (it profiles every grain call, so it costs while on).</summary>
    public bool Enabled { get; set; }

    /// <summary>Where it is served on the silo's HTTP port.</summary>
    [RegularExpression("^/[A-Za-z0-9/_-]+$", ErrorMessage = "Dashboard:Path must be a path such as /dashboard.")]
    public string Path { get; set; } = "/dashboard";

    public static DashboardSettings Read(IConfiguration configuration) =>
        configuration.GetSection(SectionName).Get<DashboardSettings>() ?? new DashboardSettings();
}

/// <summary>
/// Orleans' dashboard behind the system key: a browser is asked for it (HTTP Basic, any user name,
/// the system key as the password), a script may send it as <c>X-Api-Key</c>. Anything else gets 401.
/// </summary>
public static class SiloDashboard
{
    public static void Add(ISiloBuilder silo, DashboardSettings settings)
    {
        if (settings.Enabled)
        {
            silo.AddDashboard();
        }
    }

    public static void Map(WebApplication app, DashboardSettings settings)
    {
        if (!settings.Enabled)
        {
            return;
        }

        app.MapOrleansDashboard(settings.Path).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var authenticator = http.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
            if (PresentedKey(http.Request) is { } key && authenticator.IsSystemKey(key))
            {
                return await next(context);
            }

            http.Response.Headers.WWWAuthenticate = "Basic realm=\"CIOPulse dashboard: the system key as password\", charset=\"UTF-8\"";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The dashboard needs the system key: as the password of HTTP Basic authentication, or in the X-Api-Key header.");
        });
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[ApiKeyAuthenticator.HeaderName].ToString() is { Length: > 0 } header)
        {
            return header;
        }

        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var authorization)
            && authorization.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            && authorization.Parameter is { Length: > 0 and <= 1024 } encoded)
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                return decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }
}
