using CIOPulse.Api;
using CIOPulse.Grains;

namespace CIOPulse.Silo;

/// <summary>
/// Builds the silo process: an Orleans silo with the HTTP API co-hosted. Without
/// <c>ConnectionStrings:Postgres</c> it is the embedded single node (localhost clustering,
/// in-memory storage and reminders), which is not durable and says so at start-up.
/// </summary>
public static partial class SiloHost
{
    public const string DefaultUrl = "http://localhost:5080";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.UseOrleans(silo => ConfigureEmbedded(silo, builder.Configuration));
        builder.AddWebhookApi();

        var app = builder.Build();
        app.MapWebhookApi();
        app.Lifetime.ApplicationStarted.Register(() => WarnAboutEmbeddedMode(app));
        return app;
    }

    private static void ConfigureEmbedded(ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(ClusterSettings.SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        silo.AddMemoryGrainStorage(StorageNames.Accounts);
        silo.AddMemoryGrainStorage(StorageNames.Webhooks);
        silo.UseInMemoryReminderService();
        silo.AddWebhookDelivery(configuration);
    }

    private static void WarnAboutEmbeddedMode(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CIOPulse.Silo");
        LogEmbeddedMode(logger, string.Join(", ", app.Urls));
        if (string.IsNullOrEmpty(app.Configuration["Secrets:EncryptionKey"]))
        {
            LogEphemeralSecretsKey(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "EMBEDDED MODE, NOT DURABLE: no ConnectionStrings:Postgres is set, so accounts, webhooks and reminders live in this process's memory and are lost when it stops. API listening on {Urls}.")]
    private static partial void LogEmbeddedMode(ILogger logger, string urls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No Secrets:EncryptionKey is set: webhook passwords are encrypted with a key that lives only as long as this process.")]
    private static partial void LogEphemeralSecretsKey(ILogger logger);
}
