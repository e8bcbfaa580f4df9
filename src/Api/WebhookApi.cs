using System.Text.Json.Serialization;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Endpoints;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Portal;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CIOPulse.Api;

/// <summary>Registers and maps the HTTP API and the portal, whether they run in the silo process or in a gateway.</summary>
public static class WebhookApi
{
    public const string ReadyTag = "ready";

    /// <summary>Turns tracing on without an OTLP endpoint, for a host that brings its own exporter.</summary>
    public const string TracingEnabledSetting = "Tracing:Enabled";

    /// <summary>The longest request line (method, path and query) the server reads; longer ones get its bare 414.</summary>
    public const int MaxRequestLineBytes = 64 * 1024;

    /// <summary>The delivery meter (defined with the grains, named here so a gateway needs no grain code).</summary>
    public const string MetricsMeterName = "CIOPulse.Webhooks";

    /// <summary>The delivery's activity source (defined with the grains: one span per attempt).</summary>
    public const string TracingSourceName = "CIOPulse.Webhooks";

    /// <summary>Orleans' spans of application grain calls (its runtime's own calls are not traced).</summary>
    public const string OrleansApplicationSourceName = "Microsoft.Orleans.Application";

    /// <summary>
    /// The runtime's own HttpClient spans (.NET 9 and later). Traced from this source rather than with
    /// OpenTelemetry.Instrumentation.Http, whose listener writes traceparent into every request
    /// itself (with the SDK's default propagator), past the webhooks handler's no-output propagator.
    /// </summary>
    public const string HttpClientSourceName = "System.Net.Http";

    /// <summary>The standard OpenTelemetry variable: traces go to this OTLP endpoint, and nowhere when it is unset.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Whether the host was told where to listen (--urls, ASPNETCORE_URLS or the HTTP(S)_PORTS variables).</summary>
    public static bool HasConfiguredEndpoints(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration["urls"]) || !string.IsNullOrEmpty(configuration["http_ports"]) || !string.IsNullOrEmpty(configuration["https_ports"]);

    public static IHostApplicationBuilder AddWebhookApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingletonTimeProvider();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        // The completion intake is one stateless-worker grain id, so one reference serves every
        // request: IGrainFactory.GetGrain resolves the interface by reflection on each call.
        builder.Services.AddSingleton(services => services.GetRequiredService<IGrainFactory>().GetGrain<ISurveyCompletionGrain>(0));
        // The framework's own answers (unknown route, wrong method) carry a detail like every other error.
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            if (string.IsNullOrEmpty(context.ProblemDetails.Detail))
            {
                context.ProblemDetails.Detail = ApiProblems.DefaultDetail(context.HttpContext, context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        // Room for an overlong id in a path, so that it gets the API's 400 or 404 naming it rather
        // than the server's bare 414 (the default limit is 8 KiB).
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes);
        builder.Services.AddExceptionHandler<ServiceUnavailableExceptionHandler>();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        builder.Services.AddApiRateLimits();
        builder.Services.AddPortal();
        builder.Services.AddApiDocument();
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: [ReadyTag]); // a durable silo adds "postgres" and "group-commit"
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MetricsMeterName)
            // Orleans' own meter (grain calls, activations, messaging, reminders, watchdog) and
            // ASP.NET Core's built-in ones (requests, Kestrel connections, rate limiting, errors).
            .AddMeter("Microsoft.Orleans")
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.Routing")
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());

        // Traced only when the spans go somewhere: the OTLP endpoint, or Tracing:Enabled for a host
        // that adds an exporter of its own. Otherwise no span is made at all (each would cost CPU
        // on every request, grain call and attempt, for nothing).
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]);
        if (otlp || builder.Configuration.GetValue<bool>(TracingEnabledSetting))
        {
            telemetry.WithTracing(tracing =>
            {
                tracing
                    .AddSource(TracingSourceName, OrleansApplicationSourceName, HttpClientSourceName)
                    .AddAspNetCoreInstrumentation();
                if (otlp)
                {
                    // The exporter reads the endpoint, protocol and headers from the OTEL_EXPORTER_OTLP_* variables.
                    tracing.AddOtlpExporter();
                }
            });
        }

        return builder;
    }

    public static WebApplication MapWebhookApi(this WebApplication app)
    {
        // The portal answers failures with pages of its own; everything else with problem details.
        app.UsePortal();
        app.UseWhen(context => !PortalExtensions.IsPortalRequest(context), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        // Routing after the error handlers, so a re-executed error page is routed again. Only the
        // portal signs in with a cookie: API requests (X-Api-Key) skip both steps.
        app.UseRouting();
        app.UseRateLimiter();
        app.UseWhen(PortalExtensions.IsPortalRequest, portal =>
        {
            portal.UseAuthentication();
            portal.UseAuthorization();
        });

        // Any route may be rate limited (an account key's requests), fail (500) or find the cluster unavailable (503).
        app.MapGroup("/api/v1")
            .ProducesProblems(StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError, StatusCodes.Status503ServiceUnavailable)
            .MapAccounts()
            .MapWebhookSettings()
            .MapSigningSecret()
            .MapSurveyCompletions()
            .MapWebhookLog()
            .MapBulkResend()
            .MapAdmin();

        app.MapPortal();
        app.MapApiDocument();

        // Prometheus text format; counters are per process, so each silo reports its own deliveries.
        app.MapPrometheusScrapingEndpoint("/metrics");
        // Live runs no check (the process answers); ready asks the cluster and, on a durable silo, the database.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = HealthReportWriter.WriteAsync });
        return app;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
