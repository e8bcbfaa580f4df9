using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CIOPulse.Api.OpenApi;

/// <summary>
/// What the generated document cannot know from the endpoints: the X-Api-Key scheme every route
/// needs, the examples, and the webhook POST that the service makes to a receiver (not a route of
/// ours, so an OpenAPI 3.1 <c>webhooks</c> entry with a named schema). The servers list is left out
/// so that the document is the same wherever it is served (and relative to wherever it is read).
/// </summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string SecuritySchemeName = "ApiKey";
    public const string PayloadSchemaName = "WebhookPayload";
    public const string WebhookName = "webhook";

    private const string CompletionsPath = "/api/v1/accounts/{accountId}/survey-completions";
    private const string LogPath = "/api/v1/accounts/{accountId}/webhook-log";
    private const string SigningSecretPath = "/api/v1/accounts/{accountId}/webhook-settings/signing-secret";
    private const string BulkResendPath = LogPath + "/resend-batch";
    private const string TestPath = "/api/v1/accounts/{accountId}/webhook-settings/test";

    /// <summary>The payload's members in the order they are sent, with what each holds.</summary>
    private static readonly (string Name, string Description)[] PayloadMembers =
    [
        ("Webhook_ID", "13 lowercase hexadecimal characters; the same as the X-CIOPulse-Webhook-Id header. Deduplicate on it."),
        ("Response_ID", "From the completion."),
        ("Response_Datetime_UTC", "yyyy-MM-dd HH:mm:ss, UTC."),
        ("Ticket_ID", "From the completion, \"\" when it had none."),
        ("Support_Group_Code", "From the completion, \"\" when it had none."),
        ("Support_Group_Name", "From the completion, \"\" when it had none."),
        ("Agent_ID", "From the completion, \"\" when it had none."),
        ("Segment_Code", "From the completion, \"\" when it had none."),
        ("Segment_Name", "From the completion, \"\" when it had none."),
        ("Segment_2_Code", "From the completion, \"\" when it had none."),
        ("Segment_2_Name", "From the completion, \"\" when it had none."),
        ("Customer", "From the completion, \"\" when it had none."),
        ("Responsiveness", FactorDescription),
        ("Interpersonal", FactorDescription),
        ("Knowledge", FactorDescription),
        ("Communication", FactorDescription),
        ("Speed", FactorDescription),
        ("Confirmation", FactorDescription),
        ("Effort", FactorDescription),
        ("Other", FactorDescription),
        ("Overall", "The score as a string, \"0\" to \"10\"."),
        ("Comments", "From the completion."),
        ("SR_Notes_URL", "The link to the response's service-recovery notes: {Webhooks:ServiceRecoveryNotesBaseUrl}?id={Response_ID}."),
        ("Survey_Description", "From the completion."),
        ("Survey_Language", "From the completion."),
    ];

    private const string FactorDescription = "\"0\" when the factor was not selected; a selected one is \"1\" when Overall is 9 or 10, \"-1\" when it is 0 to 8.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "CIOPulse Webhooks API",
            Version = "v1",
            Description = "Pushes every completed customer-satisfaction survey to the customer's own API, retries on a fixed schedule, " +
                "and keeps a Webhook Log with Resend. Every error is RFC 9457 problem details (application/problem+json) whose " +
                "detail names the field at fault. The contract in prose is docs/api.md.",
        };
        document.Servers = [];
        document.Components ??= new OpenApiComponents();
        AddSecurity(document);
        AddPayload(document);
        AddExamples(document);
        DescribeResponses(document);
        return Task.CompletedTask;
    }

    private static void AddSecurity(OpenApiDocument document)
    {
        document.Components!.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = Auth.ApiKeyAuthenticator.HeaderName,
            Description = "The system key (configuration Api:SystemKey) for every route, or an account key (cpk_…, from POST …/keys) " +
                "for its own account's webhook-settings and webhook-log routes.",
        };
        foreach (var operation in document.Paths.Values.SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, document)] = [] }];
        }
    }

    private static void AddPayload(OpenApiDocument document)
    {
        var properties = new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, description) in PayloadMembers)
        {
            properties[name] = new OpenApiSchema { Type = JsonSchemaType.String, Description = description };
        }

        document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[PayloadSchemaName] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The body of the webhook POST a receiver gets: one compact JSON object with these 25 members, always all of them, " +
                "in this order, every value a string. With the account's serviceNowWrapper on, it is sent as " +
                "{\"sysparm_quantity\":\"1\",\"variables\":{…}}.",
            Properties = properties,
            Required = new HashSet<string>(PayloadMembers.Select(member => member.Name)),
        };
        document.Components.Examples ??= new Dictionary<string, IOpenApiExample>();
        document.Components.Examples[PayloadSchemaName] = new OpenApiExample
        {
            Summary = "The sample survey as delivered",
            Value = ApiExamples.Parse(ApiExamples.WebhookPayload),
        };

        document.Webhooks ??= new Dictionary<string, IOpenApiPathItem>();
        document.Webhooks[WebhookName] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Post] = new OpenApiOperation
                {
                    OperationId = "ReceiveWebhook",
                    Summary = "The webhook POST a receiver gets",
                    Description = "Sent to the account's webhook URL for each webhook, with Content-Type application/json; charset=utf-8, " +
                        "X-CIOPulse-Webhook-Id, User-Agent CIOPulse-Webhooks/1.0, and Authorization Basic when a username is set. " +
                        "With the account's signatures on, also the Standard Webhooks headers webhook-id (the Webhook_ID), " +
                        "webhook-timestamp (Unix seconds of this attempt) and webhook-signature (space-separated v1,<base64 HMAC-SHA256 of " +
                        "\"{webhook-id}.{webhook-timestamp}.{body}\"> under each whsec_ secret that signs, the newest first). " +
                        "Only a 200 answer is a success; anything else is retried after 5, 10, 20 and 40 minutes. " +
                        "Delivery is at least once: deduplicate on Webhook_ID.",
                    RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/json"] = new OpenApiMediaType
                            {
                                Schema = new OpenApiSchemaReference(PayloadSchemaName, document),
                                Examples = new Dictionary<string, IOpenApiExample>
                                {
                                    ["sample"] = new OpenApiExampleReference(PayloadSchemaName, document),
                                },
                            },
                        },
                    },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "Delivered; any other answer is a failed attempt." },
                    },
                },
            },
        };
    }

    private static void AddExamples(OpenApiDocument document)
    {
        Operation(document, CompletionsPath, HttpMethod.Post).RequestBody!.Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.SurveyCompletion);
        Operation(document, LogPath, HttpMethod.Get).Responses!["200"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.LogPage);
        var signingSecret = Operation(document, SigningSecretPath, HttpMethod.Post).Responses!;
        signingSecret["201"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.FirstSigningSecret);
        signingSecret["200"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.RotatedSigningSecret);
        Operation(document, BulkResendPath, HttpMethod.Post).RequestBody!.Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.BulkResendRequest);
        Operation(document, BulkResendPath + "/{operationId}", HttpMethod.Get).Responses!["200"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.BulkResendProgress);
        Operation(document, LogPath + "/{webhookId}", HttpMethod.Get).Responses!["200"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.ExpiredEntry);
        Operation(document, TestPath, HttpMethod.Post).Responses!["200"].Content!["application/json"].Example = ApiExamples.Parse(ApiExamples.TestWebhook);
    }

    /// <summary>Says when each problem is answered (docs/api.md, Errors), and lists an operation's answers by status.</summary>
    private static void DescribeResponses(OpenApiDocument document)
    {
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? new Dictionary<HttpMethod, OpenApiOperation>())
            {
                var sorted = new OpenApiResponses();
                foreach (var (status, response) in operation.Responses!.OrderBy(response => response.Key, StringComparer.Ordinal))
                {
                    if (response is OpenApiResponse problem && ProblemDescription(path, method, status) is { } description)
                    {
                        problem.Description = description;
                        if (status == "429")
                        {
                            problem.Headers = new Dictionary<string, IOpenApiHeader>
                            {
                                ["Retry-After"] = new OpenApiHeader
                                {
                                    Description = "Seconds to wait before retrying; nothing refused was done.",
                                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                                },
                            };
                        }
                    }

                    sorted[status] = response;
                }

                operation.Responses = sorted;
            }
        }
    }

    private static string? ProblemDescription(string path, HttpMethod method, string status) => status switch
    {
        "400" => path.EndsWith("/webhook-log", StringComparison.Ordinal)
            ? "A query parameter is wrong (or the cursor expired): detail and errors name it."
            : "A field is wrong (detail and errors name it), or the body is not a JSON object of UTF-8 text.",
        "401" => "X-Api-Key is missing or is not a key this service issued.",
        "403" => (path.EndsWith("/webhook-settings", StringComparison.Ordinal) && method == HttpMethod.Put)
            ? "Webhooks or signatures turned on for a Standard-plan account (the detail names its plan)."
            : path.EndsWith("/signing-secret", StringComparison.Ordinal)
                ? "A Standard-plan account has no webhooks to sign (the detail names its plan)."
                : path == TestPath
                    ? "The account is on the Standard plan, which has no webhooks (the detail names its plan); nothing was sent."
                    : "This route needs the system key; an account key was sent.",
        "404" => "The account, webhook or bulk resend does not exist, or belongs to another account than the key's.",
        "409" => path.EndsWith("/resend", StringComparison.Ordinal)
            ? "The webhook has expired: the retention (Webhooks:RetentionDays) removed its payload, so it cannot be resent."
            : path == TestPath
                ? "No webhook URL is saved for the account, so there is nothing to test; nothing was sent."
                : "Another bulk resend of the account is running (runningOperationId names it), or the filter matches more webhooks " +
                    "than one bulk resend takes (Webhooks:BulkResendMaxWebhooks).",
        "413" => "The body is larger than 1 MiB.",
        "415" => "The body was sent with a Content-Type that is not JSON.",
        "429" => path == TestPath
            ? "Too many requests with this account key, or too many test webhooks for this account (Api:RateLimits:TestWebhooksPerMinute)."
            : "Too many requests with this account key, or too many completions for this account (Api:RateLimits).",
        "500" => "An unexpected error; it is logged with the trace id the answer carries.",
        "503" => "The cluster (or, in durable mode, its database) did not answer; the request may be retried.",
        _ => null,
    };

    private static OpenApiOperation Operation(OpenApiDocument document, string path, HttpMethod method) =>
        document.Paths.TryGetValue(path, out var item) && item.Operations?.TryGetValue(method, out var operation) == true
            ? operation
            : throw new InvalidOperationException($"The API document has no {method} {path}.");
}
