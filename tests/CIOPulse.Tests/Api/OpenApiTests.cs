using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Api;
using CIOPulse.Api.Portal;
using CIOPulse.Grains;
using CIOPulse.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// The OpenAPI document at /openapi/v1.json against the real host that serves it: every API route
/// is in it, every status it documents is provoked and answers with the documented shape, it is
/// the document checked in as docs/openapi.json, a gateway serves it too, and the reference at
/// /docs renders from this host alone. Account keys are limited to 1 request a second here, so
/// that a 429 can be provoked; every other request uses a fresh key or the system key.
/// </summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    /// <summary>Set to 1 to write the served document to docs/openapi.json instead of comparing.</summary>
    public const string UpdateVariable = "CIOPULSE_UPDATE_OPENAPI";

    private const string DocumentPath = "openapi/v1.json";

    /// <summary>Statuses the document must list for every route but that a healthy host cannot be made to answer.</summary>
    private static readonly string[] UnprovokedStatuses = ["500", "503"];

    private SiloApp _app = null!;
    private TestReceiver _receiver = null!;
    private string _documentText = "";
    private JsonNode _document = null!;

    public async Task InitializeAsync()
    {
        _receiver = await TestReceiver.StartAsync();
        _app = await SiloApp.StartAsync(new Dictionary<string, string>
        {
            ["Api:RateLimits:RequestsPerSecondPerKey"] = "1",
            ["Api:RateLimits:RequestsBurstPerKey"] = "1",
        });
        using var client = _app.CreateClient(apiKey: null);
        using var response = await client.GetAsync(DocumentPath);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        _documentText = await response.Content.ReadAsStringAsync();
        _document = JsonNode.Parse(_documentText)!;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public void The_document_holds_every_api_route_of_the_app_and_nothing_else()
    {
        var routes = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods
                .Select(method => $"{method} {endpoint.RoutePattern.RawText!.TrimEnd('/')}"))
            .ToHashSet();
        var documented = Operations().Select(operation => $"{operation.Method.ToUpperInvariant()} {operation.Path}").ToHashSet();

        Assert.Equal(14, routes.Count);
        Assert.Contains("POST /api/v1/admin/secrets/re-encrypt", routes);
        Assert.Equal(routes.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.All(_document["paths"]!.AsObject(), path => Assert.StartsWith("/api/v1/", path.Key, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_operation_documents_its_errors_as_problem_details_and_needs_the_api_key()
    {
        foreach (var operation in Operations())
        {
            var statuses = operation.Responses.Select(response => response.Key).ToList();
            Assert.Contains("401", statuses);
            Assert.Contains("429", statuses);
            Assert.All(UnprovokedStatuses, status => Assert.Contains(status, statuses));
            foreach (var (status, response) in operation.Responses.Where(response => response.Key[0] is '4' or '5'))
            {
                var schema = response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>();
                Assert.True(schema is "#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails",
                    $"{operation} {status} is not problem details: {response.ToJsonString()}");
            }

            var security = operation.Node["security"]?.AsArray().Select(requirement => string.Join(",", requirement!.AsObject().Select(scheme => scheme.Key)));
            Assert.Equal(new[] { "ApiKey" }, security?.ToArray() ?? []);
        }

        var scheme = _document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
        Assert.Equal("header", scheme["in"]!.GetValue<string>());
        Assert.Equal("X-Api-Key", scheme["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_documented_status_is_what_the_route_answers_in_the_documented_shape()
    {
        var failures = new List<string>();
        var provoked = 0;
        foreach (var operation in Operations())
        {
            foreach (var (status, documented) in operation.Responses.Where(response => !UnprovokedStatuses.Contains(response.Key)))
            {
                using var response = await ProvokeAsync(operation, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
                provoked++;
                var where = $"{operation} {status}";
                if ((int)response.StatusCode != int.Parse(status, System.Globalization.CultureInfo.InvariantCulture))
                {
                    failures.Add($"{where}: answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                await CheckBodyAsync(response, documented!, where, failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // 14 operations: 37 success and client-error statuses in all beyond 401 and 429 on each.
        Assert.True(provoked >= 14 * 2 + 37, $"Only {provoked} statuses were provoked.");
    }

    [Fact]
    public async Task The_checked_in_document_is_the_one_the_app_serves()
    {
        var path = Path.Combine(RepositoryPaths.Root, "docs", "openapi.json");
        var served = _documentText.ReplaceLineEndings("\n").TrimEnd() + "\n";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run this test with {UpdateVariable}=1 to write it.");
        var checkedIn = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        Assert.True(checkedIn == served,
            $"docs/openapi.json differs from the document the app serves; if the API change is meant, run this test with {UpdateVariable}=1 and commit the file. " +
            $"First difference at character {FirstDifference(checkedIn, served)}.");
    }

    [Fact]
    public void The_examples_are_the_sample_survey_as_posted_listed_and_delivered()
    {
        var completion = Operation("post", "/api/v1/accounts/{accountId}/survey-completions").Node["requestBody"]!["content"]!["application/json"]!["example"]!;
        Assert.True(JsonNode.DeepEquals(Completion("3690"), completion), completion.ToJsonString());

        var page = Operation("get", "/api/v1/accounts/{accountId}/webhook-log").Node["responses"]!["200"]!["content"]!["application/json"]!["example"]!;
        var items = page["items"]!.AsArray();
        Assert.Equal("3690", Assert.Single(items)!["responseId"]!.GetValue<string>());
        CheckShape(page, Operation("get", "/api/v1/accounts/{accountId}/webhook-log").Node["responses"]!["200"]!["content"]!["application/json"]!["schema"]!, "log page example", out var pageFaults);
        Assert.Empty(pageFaults);

        // The receiver's body, member for member and in order, is what the payload builder makes of the sample.
        var example = _document["components"]!["examples"]!["WebhookPayload"]!["value"]!.AsObject();
        var built = JsonNode.Parse(WebhookPayloadBuilder.Build("0f2efe1c678b0", SampleSurvey.Completion(), "https://app.cio-pulse.com/service-recovery-notes"))!.AsObject();
        Assert.Equal(built.Select(member => member.Key), example.Select(member => member.Key));
        Assert.True(JsonNode.DeepEquals(built, example), example.ToJsonString());
        var test = Operation("post", "/api/v1/accounts/{accountId}/webhook-settings/test").Node["responses"]!["200"]!["content"]!["application/json"]!;
        CheckShape(test["example"]!, test["schema"]!, "test webhook example", out var testFaults);
        Assert.Empty(testFaults);

        var schema = _document["components"]!["schemas"]!["WebhookPayload"]!;
        Assert.Equal(built.Select(member => member.Key), schema["properties"]!.AsObject().Select(member => member.Key));
        CheckShape(example, schema, "WebhookPayload example", out var payloadFaults);
        Assert.Empty(payloadFaults);
        var webhook = _document["webhooks"]!["webhook"]!["post"]!["requestBody"]!["content"]!["application/json"]!;
        Assert.Equal("#/components/schemas/WebhookPayload", webhook["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_reference_at_docs_renders_the_api_from_this_host_alone()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(_app.BaseUri.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };

        var answer = await page.GotoAsync(new Uri(_app.BaseUri, "docs").ToString());
        Assert.Equal(200, answer!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "CIOPulse Webhooks API" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        // The first tag's operations, the other tags and the receiver's webhook POST, listed in the sidebar.
        await Assertions.Expect(page.GetByText("Create or update an account").First).ToBeVisibleAsync();
        foreach (var section in new[] { "Webhook settings", "Survey completions", "Webhook Log", "Administration", "Webhooks" })
        {
            await Assertions.Expect(page.GetByText(section, new() { Exact = true }).First).ToBeVisibleAsync();
        }
        var screenshots = Path.Combine(RepositoryPaths.Root, "TestResults", "openapi");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "docs.png") });
        Assert.Empty(elsewhere);
    }

    [Fact]
    public async Task A_gateway_serves_the_same_document_and_reference()
    {
        var gateway = GatewayHost.Build(
        [
            "--urls=http://127.0.0.1:0",
            "--Api:SystemKey=" + SiloApp.SystemKey,
            "--Orleans:GatewayPort=" + _app.Settings["Orleans:GatewayPort"],
            "--Orleans:ClusterId=" + _app.Settings["Orleans:ClusterId"],
            "--Logging:LogLevel:Default=Warning",
        ]);
        await gateway.StartAsync();
        try
        {
            var address = gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            Assert.Equal(_documentText, await client.GetStringAsync(DocumentPath));
            using var reference = await client.GetAsync("docs/");
            await AssertStatusAsync(reference, HttpStatusCode.OK);
            Assert.Equal("text/html", reference.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<script src=\"scalar.js\"></script>", await reference.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var script = await client.GetAsync("docs/scalar.js");
            await AssertStatusAsync(script, HttpStatusCode.OK);
        }
        finally
        {
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    /// <summary>Makes the route answer <paramref name="status"/>, each time with fresh accounts and keys.</summary>
    private async Task<HttpResponseMessage> ProvokeAsync(DocumentedOperation operation, int status)
    {
        var route = operation.Path;
        var system = route is "/api/v1/accounts/{accountId}" or "/api/v1/accounts/{accountId}/keys"
            or "/api/v1/accounts/{accountId}/survey-completions" or "/api/v1/admin/secrets/re-encrypt";
        var account = await _app.CreateAccountAsync();
        var webhookId = route.Contains("{webhookId}", StringComparison.Ordinal) ? await TriggerWebhookAsync(account) : null;
        var goodBody = GoodBody(operation, account);
        var request = new Call(operation.Method, route, account, webhookId, SiloApp.SystemKey, goodBody);
        if (route.Contains("{operationId}", StringComparison.Ordinal))
        {
            request = request with { OperationId = await StartBulkResendAsync(account, webhooks: 0) };
        }

        switch (status)
        {
            case 202 when route.EndsWith("/resend-batch", StringComparison.Ordinal):
                return await SendAsync(request with { Key = await _app.IssueKeyAsync(account), Body = BulkResendBody(dryRun: false) });
            case 409 when route.EndsWith("/resend-batch", StringComparison.Ordinal):
                // One running (three webhooks at one a second) and a second start.
                await StartBulkResendAsync(account, webhooks: 3);
                return await SendAsync(request with { Body = BulkResendBody(dryRun: false) });
            case 200 when route.EndsWith("/survey-completions", StringComparison.Ordinal):
                // Webhooks are off for a new account: accepted, nothing triggered.
                return await SendAsync(request);
            case 202 when route.EndsWith("/survey-completions", StringComparison.Ordinal):
                await _app.SetSettingsAsync(account, Settings(_receiver.UrlFor(ReceiverPathFor(account))));
                return await SendAsync(request);
            case 200 when route.EndsWith("/signing-secret", StringComparison.Ordinal):
                // A rotation: the account's first secret is a 201.
                using (var first = await SendAsync(request))
                {
                    await AssertStatusAsync(first, HttpStatusCode.Created);
                }

                return await SendAsync(request);
            case 200 when route.EndsWith("/webhook-settings/test", StringComparison.Ordinal):
                await _app.SetSettingsAsync(account, Settings(_receiver.UrlFor(ReceiverPathFor(account))));
                return await SendAsync(request with { Key = await _app.IssueKeyAsync(account) });
            case 200 or 201 or 202:
                return await SendAsync(system ? request : request with { Key = await _app.IssueKeyAsync(account) });
            case 400:
                return route.EndsWith("/webhook-log", StringComparison.Ordinal)
                    ? await SendAsync(request with { Query = "limit=0" })
                    : await SendAsync(request with { Body = BadBody(route) });
            case 401:
                return await SendAsync(request with { Key = null });
            case 403 when route.EndsWith("/signing-secret", StringComparison.Ordinal):
                return await SendAsync(request with { Account = await _app.CreateAccountAsync(plan: "Standard") });
            case 403 when route.EndsWith("/webhook-settings/test", StringComparison.Ordinal):
                // A Standard account with a URL saved (webhooks off): a test is refused for the plan.
                var standardWithUrl = await _app.CreateAccountAsync(plan: "Standard");
                await _app.SetSettingsAsync(standardWithUrl, Settings(_receiver.UrlFor(ReceiverPathFor(standardWithUrl)), enabled: false));
                return await SendAsync(request with { Account = standardWithUrl });
            case 409 when route.EndsWith("/webhook-settings/test", StringComparison.Ordinal):
                // A new account has no URL saved: nothing to test.
                return await SendAsync(request);
            case 403 when route.EndsWith("/webhook-settings", StringComparison.Ordinal):
                var standard = await _app.CreateAccountAsync(plan: "Standard");
                return await SendAsync(request with { Account = standard, Body = Settings(_receiver.UrlFor(ReceiverPathFor(standard))).ToJsonString() });
            case 403:
                return await SendAsync(request with { Key = await _app.IssueKeyAsync(account) });
            case 404 when webhookId is not null:
                return await SendAsync(request with { Key = await _app.IssueKeyAsync(account), WebhookId = "0000000000000" });
            case 404 when system:
                return await SendAsync(request with { Account = NewAccountId() });
            case 404:
                // Another account's key: the account is answered as missing.
                return await SendAsync(request with { Key = await _app.IssueKeyAsync(await _app.CreateAccountAsync()) });
            case 409 when route.EndsWith("/resend", StringComparison.Ordinal):
                // A webhook the retention expired: delivered, then expired through its grain as the sweep would.
                // Waited for with the system key: the account key's bucket here holds one request a second.
                var key = await _app.IssueKeyAsync(account);
                using (var reader = _app.CreateClient())
                {
                    await reader.WaitForStatusAsync(account, webhookId!, "Succeeded");
                }

                var grain = _app.Services.GetRequiredService<IGrainFactory>().GetGrain<CIOPulse.Grains.Interfaces.IWebhookDeliveryGrain>(webhookId!);
                Assert.Equal(CIOPulse.Grains.Interfaces.ExpireOutcome.Expired, await grain.Expire(DateTime.UtcNow.AddMinutes(1)));
                return await SendAsync(request with { Key = key });
            case 413:
                return await SendAsync(request with { Body = "{\"padding\":\"" + new string('x', (int)CIOPulse.Api.Json.JsonBody.MaxBytes) + "\"}" });
            case 415:
                return await SendAsync(request with { ContentType = "text/plain" });
            case 429:
                // An account key's requests past its bucket (1 a second here); the first ones may pass.
                var limited = request with { Key = await _app.IssueKeyAsync(account) };
                for (var i = 0; ; i++)
                {
                    var response = await SendAsync(limited);
                    if (response.StatusCode == HttpStatusCode.TooManyRequests || i == 4)
                    {
                        return response;
                    }

                    response.Dispose();
                }

            default:
                throw new InvalidOperationException($"No way to provoke {status} from {operation}: add one to this test.");
        }
    }

    private static string? GoodBody(DocumentedOperation operation, string account) => operation.Path switch
    {
        "/api/v1/accounts/{accountId}" => """{"name":"DemoCorp","plan":"Corporate"}""",
        "/api/v1/accounts/{accountId}/webhook-settings" when operation.Method == "put" => """{"enabled":false}""",
        "/api/v1/accounts/{accountId}/survey-completions" => Completion(NewResponseId()).ToJsonString(),
        "/api/v1/accounts/{accountId}/webhook-log/resend-batch" => BulkResendBody(dryRun: true),
        _ => operation.Node["requestBody"] is null ? null : throw new InvalidOperationException($"No body for {operation} ({account})."),
    };

    private static string BadBody(string route) => route switch
    {
        "/api/v1/accounts/{accountId}" => """{"name":5,"plan":"Corporate"}""",
        "/api/v1/accounts/{accountId}/webhook-settings" => """{"enabled":"yes"}""",
        "/api/v1/accounts/{accountId}/survey-completions" => """{"Response_ID":"r-1","Overall":11}""",
        "/api/v1/accounts/{accountId}/webhook-log/resend-batch" => """{"lastActivityFrom":"2026-01-01T00:00:00Z","lastActivityUntil":"2026-02-01T00:00:00Z"}""",
        _ => throw new InvalidOperationException($"No bad body for {route}."),
    };

    private static string BulkResendBody(bool dryRun) =>
        new JsonObject
        {
            ["lastActivityFrom"] = DateTime.UtcNow.AddHours(-1).ToString("O"),
            ["lastActivityUntil"] = DateTime.UtcNow.AddHours(1).ToString("O"),
            ["dryRun"] = dryRun,
            ["ratePerSecond"] = 1,
        }.ToJsonString();

    /// <summary>Starts a bulk resend (one a second) for the account over its <paramref name="webhooks"/> new webhooks; returns its id.</summary>
    private async Task<string> StartBulkResendAsync(string account, int webhooks)
    {
        for (var i = 0; i < webhooks; i++)
        {
            await TriggerWebhookAsync(account);
        }

        using var client = _app.CreateClient();
        using var content = new StringContent(BulkResendBody(dryRun: false), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync($"api/v1/accounts/{account}/webhook-log/resend-batch", content);
        await AssertStatusAsync(response, HttpStatusCode.Accepted);
        return (await ReadJsonAsync(response)).GetProperty("id").GetString()!;
    }

    private async Task<string> TriggerWebhookAsync(string account)
    {
        await _app.SetSettingsAsync(account, Settings(_receiver.UrlFor(ReceiverPathFor(account))));
        using var client = _app.CreateClient();
        using var response = await client.PostCompletionAsync(account, Completion(NewResponseId()));
        await AssertStatusAsync(response, HttpStatusCode.Accepted);
        return (await ReadJsonAsync(response)).GetProperty("webhookId").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(Call call)
    {
        var path = call.Route.TrimStart('/').Replace("{accountId}", call.Account, StringComparison.Ordinal)
            .Replace("{webhookId}", call.WebhookId, StringComparison.Ordinal)
            .Replace("{operationId}", call.OperationId, StringComparison.Ordinal) + (call.Query is null ? "" : "?" + call.Query);
        using var client = _app.CreateClient(call.Key);
        using var request = new HttpRequestMessage(new HttpMethod(call.Method.ToUpperInvariant()), path);
        if (call.Body is not null)
        {
            request.Content = new StringContent(call.Body, Encoding.UTF8, call.ContentType);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Requires the answer's content type and body to be the documented ones (a problem also carries its own status and a detail).</summary>
    private async Task CheckBodyAsync(HttpResponseMessage response, JsonNode documented, string where, List<string> failures)
    {
        var content = documented["content"]?.AsObject();
        if (content is null || content.Count == 0)
        {
            return;
        }

        var (mediaType, media) = Assert.Single(content);
        var answered = response.Content.Headers.ContentType?.MediaType;
        if (answered != mediaType)
        {
            failures.Add($"{where}: answered {answered}, documented {mediaType}");
            return;
        }

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if (mediaType == ProblemJson
            && (body?["status"]?.GetValue<int>() != (int)response.StatusCode || string.IsNullOrWhiteSpace(body?["detail"]?.GetValue<string>())))
        {
            failures.Add($"{where}: a problem without its status or a detail: {body?.ToJsonString()}");
        }

        CheckShape(body, media!["schema"]!, where, out var faults);
        failures.AddRange(faults);
    }

    private void CheckShape(JsonNode? value, JsonNode schema, string where, out List<string> faults)
    {
        faults = [];
        new ShapeChecker(_document).Check(value, schema, where, faults);
    }

    private IEnumerable<DocumentedOperation> Operations() =>
        _document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(member => member.Key is "get" or "put" or "post" or "delete" or "patch")
            .Select(member => new DocumentedOperation(member.Key, path.Key, member.Value!)));

    private DocumentedOperation Operation(string method, string path) =>
        Operations().Single(operation => operation.Method == method && operation.Path == path);

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i;
    }

    private sealed record DocumentedOperation(string Method, string Path, JsonNode Node)
    {
        public IEnumerable<KeyValuePair<string, JsonNode?>> Responses => Node["responses"]!.AsObject();

        public override string ToString() => $"{Method.ToUpperInvariant()} {Path}";
    }

    private sealed record Call(string Method, string Route, string Account, string? WebhookId, string? Key, string? Body)
    {
        public string? Query { get; init; }

        public string? OperationId { get; init; }

        public string ContentType { get; init; } = "application/json";
    }

    /// <summary>
    /// Checks a JSON value against the parts of JSON Schema the generated document uses: $ref,
    /// oneOf/anyOf, type (one or a list, "null" included), enum, required, properties,
    /// additionalProperties and items.
    /// </summary>
    private sealed class ShapeChecker(JsonNode document)
    {
        public void Check(JsonNode? value, JsonNode schema, string where, List<string> faults)
        {
            if (schema["$ref"]?.GetValue<string>() is { } reference)
            {
                var target = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate((JsonNode?)document, (node, part) => node?[part]);
                if (target is null)
                {
                    faults.Add($"{where}: {reference} is not in the document");
                    return;
                }

                Check(value, target, where, faults);
                return;
            }

            foreach (var combinator in new[] { "oneOf", "anyOf" })
            {
                if (schema[combinator] is JsonArray choices)
                {
                    var matches = choices.Count(choice => { var trial = new List<string>(); Check(value, choice!, where, trial); return trial.Count == 0; });
                    if (matches == 0)
                    {
                        faults.Add($"{where}: {value?.ToJsonString() ?? "null"} matches none of {combinator} {choices.ToJsonString()}");
                    }

                    return;
                }
            }

            var kind = KindOf(value);
            if (schema["type"] is { } type)
            {
                var types = type is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
                if (!types.Contains(kind) && !(kind == "integer" && types.Contains("number")))
                {
                    faults.Add($"{where}: {value?.ToJsonString() ?? "null"} is {kind}, documented {type.ToJsonString()}");
                    return;
                }
            }

            if (schema["enum"] is JsonArray values && value is not null && !values.Any(allowed => JsonNode.DeepEquals(allowed, value)))
            {
                faults.Add($"{where}: {value.ToJsonString()} is not one of {values.ToJsonString()}");
            }

            if (value is JsonObject obj)
            {
                foreach (var required in schema["required"]?.AsArray() ?? new JsonArray())
                {
                    if (!obj.ContainsKey(required!.GetValue<string>()))
                    {
                        faults.Add($"{where}: required member {required} is missing from {obj.ToJsonString()}");
                    }
                }

                var properties = schema["properties"]?.AsObject();
                foreach (var (name, member) in obj)
                {
                    if (properties?[name] is { } property)
                    {
                        Check(member, property, $"{where}.{name}", faults);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Check(member, additional, $"{where}.{name}", faults);
                    }
                    else if (schema["additionalProperties"] is JsonValue allowed && !allowed.GetValue<bool>())
                    {
                        faults.Add($"{where}: member {name} is not documented");
                    }
                }
            }

            if (value is JsonArray array && schema["items"] is { } items)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], items, $"{where}[{i}]", faults);
                }
            }
        }

        private static string KindOf(JsonNode? value) => value?.GetValueKind() switch
        {
            null or JsonValueKind.Null => "null",
            JsonValueKind.Object => "object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => value.GetValue<JsonElement>().TryGetInt64(out _) ? "integer" : "number",
            _ => "unknown",
        };
    }
}
