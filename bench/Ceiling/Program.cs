using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Serialization;
using CIOPulse.Api;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Problems;
using CIOPulse.Ceiling;
using CIOPulse.Grains;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using CompletionResponse = CIOPulse.Api.Endpoints.SurveyCompletionEndpoints.CompletionResponse;
using ProductAccountEndpoints = CIOPulse.Api.Endpoints.AccountEndpoints;
using ProductCompletionEndpoints = CIOPulse.Api.Endpoints.SurveyCompletionEndpoints;
using ProductSettingsEndpoints = CIOPulse.Api.Endpoints.WebhookSettingsEndpoints;

// The no-persistence ceiling (issue 15), started by the delivery benchmark with `--target ceiling`;
// by hand: dotnet CIOPulse.Ceiling.dll --Api:SystemKey=... --urls=http://127.0.0.1:5096
// What it does per completion is what no webhook service can leave out: read and validate the
// request (the product's reader), derive the Webhook_ID and build the payload (the product's
// builder), and POST it with Basic auth. What it leaves out is everything that makes the product
// a product: persistence, the reminder, the log, retries, the per-destination limit.
var builder = WebApplication.CreateSlimBuilder(args);
if (!WebhookApi.HasConfiguredEndpoints(builder.Configuration))
{
    builder.WebHost.UseUrls("http://localhost:5096");
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName);
builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.SectionName);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<CeilingSender>();
builder.Services.AddSingleton<ConcurrentDictionary<string, CeilingAccount>>();
builder.Services.AddHttpClient(CeilingSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
    .RemoveAllLoggers();
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(WebhookMetrics.MeterName).AddRuntimeInstrumentation().AddPrometheusExporter());

var app = builder.Build();
app.UseExceptionHandler();
var accounts = app.MapGroup("/api/v1/accounts/{accountId}").AddEndpointFilter(async (context, next) =>
{
    var presented = context.HttpContext.Request.Headers[ApiKeyAuthenticator.HeaderName].ToString();
    var systemKey = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.SystemKey;
    return presented.Length > 0 && presented == systemKey ? await next(context) : ApiProblems.Unauthorized();
});

accounts.MapPut("", async (string accountId, HttpRequest request, ConcurrentDictionary<string, CeilingAccount> store, CancellationToken cancellationToken) =>
{
    var (_, _, problem) = await ProductAccountEndpoints.ReadAccountAsync(accountId, request, cancellationToken);
    if (problem is not null)
    {
        return (IResult)problem;
    }

    store.TryAdd(accountId, new CeilingAccount(false, null, null, false));
    return TypedResults.Ok();
});

accounts.MapPut("/webhook-settings", async (string accountId, HttpRequest request, ConcurrentDictionary<string, CeilingAccount> store, CancellationToken cancellationToken) =>
{
    var (update, problem) = await ProductSettingsEndpoints.ReadUpdateAsync(request, cancellationToken);
    if (update is null)
    {
        return (IResult)problem!;
    }

    var authorization = string.IsNullOrEmpty(update.Username) ? null
        : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{update.Username}:{update.Password}"));
    store[accountId] = new CeilingAccount(update.Enabled, update.Url is { } url ? new Uri(url) : null, authorization, update.ServiceNowWrapper);
    return TypedResults.Ok();
});

accounts.MapPost("/survey-completions", async (string accountId, HttpRequest request, ConcurrentDictionary<string, CeilingAccount> store,
    CeilingSender sender, IOptions<WebhookOptions> options, TimeProvider timeProvider, CancellationToken cancellationToken) =>
{
    var (completion, problem) = await ProductCompletionEndpoints.ReadCompletionAsync(accountId, request, timeProvider, cancellationToken);
    if (completion is null)
    {
        return (IResult)problem!;
    }

    if (!store.TryGetValue(accountId, out var account))
    {
        return ApiProblems.AccountNotFound(accountId);
    }

    if (!account.Enabled || account.Url is null)
    {
        return TypedResults.Ok(new CompletionResponse(null, "Webhooks are turned off for this account."));
    }

    var webhookId = WebhookIds.Derive(accountId, completion.ListeningPost, completion.ResponseId, 0);
    var payload = WebhookPayloadBuilder.Build(webhookId, completion, options.Value.ServiceRecoveryNotesBaseUrl);
    sender.Send(webhookId, account, account.ServiceNowWrapper ? WebhookPayloadBuilder.WrapForServiceNow(payload) : payload);
    return TypedResults.Accepted((string?)null, new CompletionResponse(webhookId));
});

app.MapPrometheusScrapingEndpoint("/metrics");
app.MapGet("/health/ready", () => TypedResults.Ok());
await app.RunAsync();
