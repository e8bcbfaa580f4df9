using CIOPulse.Api;

// The standalone gateway: an Orleans client in front of a silo cluster. The single-node product
// (silo and API in one process) is src/Silo.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleansClient(client =>
{
    var gatewayPort = builder.Configuration.GetValue("Orleans:GatewayPort", 30000);
    client.UseLocalhostClustering(gatewayPort);
});
builder.AddWebhookApi();

var app = builder.Build();
app.MapWebhookApi();
app.Run();
