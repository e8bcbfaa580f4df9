using CIOPulse.Api;
using Orleans.Configuration;

// The standalone gateway: an Orleans client in front of a silo cluster (the single-node product,
// silo and API in one process, is src/Silo). With ConnectionStrings:Postgres it finds the silos'
// gateways through the cluster's membership table; otherwise it connects to a local silo.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (!WebhookApi.HasConfiguredEndpoints(builder.Configuration))
{
    builder.WebHost.UseUrls("http://localhost:5090");
}

var orleans = builder.Configuration.GetSection("Orleans");
var clusterId = orleans["ClusterId"] ?? "ciopulse";
var serviceId = orleans["ServiceId"] ?? "ciopulse-webhooks";
var connectionString = builder.Configuration.GetConnectionString("Postgres");
builder.UseOrleansClient(client =>
{
    if (string.IsNullOrWhiteSpace(connectionString))
    {
        client.UseLocalhostClustering(orleans.GetValue("GatewayPort", 30000), serviceId, clusterId);
        return;
    }

    client.Configure<ClusterOptions>(options =>
    {
        options.ClusterId = clusterId;
        options.ServiceId = serviceId;
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
await app.RunAsync();
