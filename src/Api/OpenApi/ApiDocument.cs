using Scalar.AspNetCore;

namespace CIOPulse.Api.OpenApi;

/// <summary>
/// The OpenAPI document of the routes under /api/v1 (not the portal, /metrics or /health), at
/// <see cref="DocumentPath"/>, and a browsable reference of it at <see cref="ReferencePath"/>.
/// </summary>
public static class ApiDocument
{
    public const string Name = "v1";
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(Name, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<ApiDocumentTransformer>();
        });

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Scalar serves its script from this assembly (no CDN); nothing it shows needs another site
        // (no web fonts, AI agent, MCP or telemetry), so the reference works on a closed network.
        app.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("CIOPulse Webhooks API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddDocument(Name)
            .AddPreferredSecuritySchemes(ApiDocumentTransformer.SecuritySchemeName)
            .PreserveSchemaPropertyOrder()
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .HideDeveloperTools());
        return app;
    }
}
