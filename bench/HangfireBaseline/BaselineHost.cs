using System.Text.Json.Serialization;
using CIOPulse.Api;
using CIOPulse.Grains;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// Wires the baseline: one pooled <see cref="NpgsqlDataSource"/> shared by the baseline's tables
/// and Hangfire.PostgreSql, a Hangfire server tuned by <see cref="HangfireSettings"/>, the
/// product's webhook sender and metrics, and the API subset the delivery benchmark uses.
/// </summary>
public static class BaselineHost
{
    private const string ReadyTag = "ready";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (!WebhookApi.HasConfiguredEndpoints(builder.Configuration))
        {
            builder.WebHost.UseUrls("http://localhost:5095");
        }

        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("ConnectionStrings:Postgres is required: the Hangfire baseline has no in-memory mode.");
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HangfireSettings>().BindConfiguration(HangfireSettings.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddWebhookDelivery(builder.Configuration);
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddSingleton<AccountStore>();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookAcceptance>();
        services.AddTransient<WebhookDeliveryJob>();

        services.AddHangfire((provider, hangfire) => ConfigureHangfire(provider, hangfire));
        services.AddHangfireServer((provider, server) =>
        {
            var settings = provider.GetRequiredService<IOptions<HangfireSettings>>().Value;
            server.WorkerCount = settings.WorkerCount;
            server.SchedulePollingInterval = settings.SchedulePollingInterval;
        });

        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(WebhookMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapGroup("/api/v1").MapAccounts().MapSurveyCompletions();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }

    /// <summary>
    /// The one pool for both the baseline's tables and Hangfire. Connections go back to it without
    /// <c>DISCARD ALL</c>, as in the product's data source (src/Silo/Postgres/PostgresDataSource.cs):
    /// neither this code nor Hangfire.PostgreSql (table-based locks, no LISTEN unless long polling
    /// is on) leaves session state behind, and the reset would cost a statement and a transaction
    /// every time Hangfire returns a connection, which it does after every storage call.
    /// </summary>
    private static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        return builder.Build();
    }

    private static void ConfigureHangfire(IServiceProvider provider, IGlobalConfiguration hangfire)
    {
        var settings = provider.GetRequiredService<IOptions<HangfireSettings>>().Value;
        var webhooks = provider.GetRequiredService<IOptions<WebhookOptions>>().Value;

        // The default retry filter (10 attempts, exponential back-off) gives way to the SPEC's
        // schedule. Culture capture and the dashboard's statistics history are not needed: the job
        // is culture-invariant and there is no dashboard; both would add rows to every job.
        GlobalJobFilters.Filters.Remove<AutomaticRetryAttribute>();
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        GlobalJobFilters.Filters.Remove<StatisticsHistoryAttribute>();

        var storage = new PostgreSqlStorageOptions
        {
            SchemaName = "hangfire",
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = settings.QueuePollInterval,
            InvisibilityTimeout = settings.InvisibilityTimeout,
            // A benchmark target must not come up half-working: no storage, no start.
            AllowDegradedModeWithoutStorage = false,
        };

        hangfire
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseFilter(RetryFilter.Create(webhooks))
            .UsePostgreSqlStorage(
                bootstrap => bootstrap.UseConnectionFactory(new DataSourceConnectionFactory(provider.GetRequiredService<NpgsqlDataSource>())),
                storage);
    }
}
