using Orleans.Configuration;

namespace CIOPulse.Api;

/// <summary>
/// Builds the standalone gateway: the HTTP API and the portal as an Orleans client in front of a
/// silo cluster (the single-node product, silo and API in one process, is src/Silo). With
/// ConnectionStrings:Postgres it finds the silos' gateways through the cluster's membership table;
/// otherwise it connects to a local silo.
/// </summary>
public static class GatewayHost
{
    public const string DefaultUrl = "http://localhost:5090";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (!WebhookApi.HasConfiguredEndpoints(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var cluster = ClusterSettings.Read(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        builder.UseOrleansClient(client =>
        {
            // The request's trace goes on into the grains (see WebhookApi's tracing).
            client.AddActivityPropagation();
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
                return;
            }

            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
            });
        });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning).AddFilter("Polly", LogLevel.Warning);
        builder.AddWebhookApi();

        var app = builder.Build();
        app.MapWebhookApi();
        return app;
    }
}
