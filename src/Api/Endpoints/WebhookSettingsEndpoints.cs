using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

public static class WebhookSettingsEndpoints
{
    public static RouteGroupBuilder MapWebhookSettings(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/accounts/{accountId}/webhook-settings").RequireAccountAccess().WithTags("Webhook settings");
        settings.MapGet("", GetSettings)
            .WithName("GetWebhookSettings").WithSummary("The account's webhook settings (never the password)");
        // 403: webhooks or signatures turned on for a Standard-plan account.
        settings.MapPut("", PutSettings).AcceptsJsonBody<WebhookSettingsRequest>().ProducesProblems(StatusCodes.Status403Forbidden)
            .WithName("PutWebhookSettings").WithSummary("Replace the account's webhook settings");
        settings.MapPost("/test", PostTest).ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict)
            .WithName("SendTestWebhook").WithSummary("Send a test webhook to the saved settings and answer its outcome")
            .WithDescription(TestDescription);
        return api;
    }

    public const string TestDescription =
        "Sends the article's sample survey (Response_ID 3690) with a fresh Webhook_ID through the real pipeline: the saved URL, " +
        "Basic authentication when a username is saved, the ServiceNow wrapper when on, the destination checks and the per-destination " +
        "limit. It works while webhooks are turned off (to try the settings before turning them on), not on the Standard plan. " +
        "The answer comes once the attempt is over (at most Webhooks:AttemptTimeout, twice that when the destination is busy): " +
        "200 whether or not the receiver answered 200, with the code, the first 100 characters of the answer, the duration and the " +
        "failure class. The test is in the Webhook Log with test: true, makes no automatic retry, and can be resent. " +
        "At most Api:RateLimits:TestWebhooksPerMinute tests a minute per account (default 10).";

    /// <summary>The first characters of the receiver's answer a test's result shows (as the log's lastResponse).</summary>
    public const int TestResponseLength = 100;

    /// <summary>The outcome of a test webhook: the attempt as the log recorded it.</summary>
    public sealed record TestWebhookResponse(
        [property: Description("The test webhook's Webhook_ID: its entry is GET …/webhook-log/{webhookId}.")] string WebhookId,
        [property: Description("Whether the receiver answered HTTP 200.")] bool Succeeded,
        [property: Description("The receiver's HTTP status; null when no HTTP answer came.")] int? ResponseCode,
        [property: Description("The first 100 characters of the receiver's answer; null when no HTTP answer came.")] string? Response,
        [property: Description("How long the attempt took, in milliseconds.")] long DurationMs,
        [property: Description("Why it failed: Timeout, ConnectionRefused, Dns, Tls, Redirect, HttpClientError, HttpServerError, UnexpectedStatus, ConnectionClosed, InvalidResponse, DestinationRefused, NotSent, Network or DestinationBusy; null when it succeeded.")] string? Failure,
        [property: Description("What went wrong when no HTTP answer came (the network error), else null.")] string? Error)
    {
        public static TestWebhookResponse From(string webhookId, AttemptRecord attempt) => new(
            webhookId,
            attempt.ResponseCode == 200,
            attempt.ResponseCode,
            attempt.Response is { Length: > TestResponseLength } response ? response[..TestResponseLength] : attempt.Response,
            attempt.DurationMs,
            attempt.ResponseCode == 200 ? null : (attempt.Failure ?? AttemptFailure.Network).ToString(),
            attempt.Error);
    }

    /// <summary>
    /// Sends a test webhook for the account (the API route and the portal's button): its outcome, or
    /// the problem (429 over the limit, 403 plan, 409 no URL, 404). A 429 sets Retry-After on <paramref name="response"/>.
    /// </summary>
    public static async Task<Results<Ok<TestWebhookResponse>, ProblemHttpResult>> SendTestAsync(
        string accountId, IGrainFactory grains, TestWebhookLimiter limiter, HttpResponse response)
    {
        using (var lease = limiter.Acquire(accountId))
        {
            if (!lease.IsAcquired)
            {
                var seconds = TestWebhookLimiter.RetryAfterSeconds(lease);
                response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ApiProblems.TooManyRequests(limiter.RefusalText(seconds));
            }
        }

        var result = await grains.GetGrain<ISurveyCompletionGrain>(0).SendTest(accountId, Portal.SampleSurvey.Completion());
        return result.Outcome switch
        {
            TestWebhookOutcome.Sent => TypedResults.Ok(TestWebhookResponse.From(result.WebhookId!, result.Attempt!)),
            TestWebhookOutcome.PlanDoesNotAllowWebhooks => ApiProblems.Forbidden(result.Reason!),
            TestWebhookOutcome.NoUrl => ApiProblems.Conflict(result.Reason!),
            _ => ApiProblems.AccountNotFound(accountId),
        };
    }

    private static Task<Results<Ok<TestWebhookResponse>, ProblemHttpResult>> PostTest(string accountId, HttpContext context, IGrainFactory grains, TestWebhookLimiter limiter) =>
        SendTestAsync(accountId, grains, limiter, context.Response);

    private static async Task<Results<Ok<WebhookSettings>, ProblemHttpResult>> GetSettings(string accountId, IGrainFactory grains) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetSettings() is { } settings
            ? TypedResults.Ok(settings)
            : ApiProblems.AccountNotFound(accountId);

    /// <summary>The body of <c>PUT …/webhook-settings</c> (read by <see cref="ReadUpdateAsync"/>).</summary>
    public sealed record WebhookSettingsRequest
    {
        [Required]
        public required bool Enabled { get; init; }

        [Description("Required when enabled: an absolute http(s) URL of a public destination, at most 2048 characters; absent or empty: none.")]
        public string? Url { get; init; }

        [Description("For HTTP Basic authentication: at most 256 characters, no ':' and no control characters; absent or empty: none.")]
        public string? Username { get; init; }

        [Description("At most 256 characters. Absent or null keeps the stored password; \"\" clears it. Stored encrypted, never returned.")]
        public string? Password { get; init; }

        [Description("Whether the body is wrapped for ServiceNow; default false.")]
        public bool? ServiceNowWrapper { get; init; }

        [Description("Whether each webhook carries Standard Webhooks signature headers (webhook-id, webhook-timestamp, webhook-signature). " +
            "Absent or null keeps the current value (off for a new account). Turning it on needs a signing secret (POST …/webhook-settings/signing-secret).")]
        public bool? Signatures { get; init; }
    }

    /// <summary>A well-formed <c>PUT …/webhook-settings</c> body as an update, or the problem naming the field.</summary>
    public static async Task<(WebhookSettingsUpdate? Update, ProblemHttpResult? Problem)> ReadUpdateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (!JsonFields.TryGetBool(body, "enabled", out var enabled, out var error) || enabled is null)
        {
            return (null, ApiProblems.Invalid("enabled", error ?? "is required: true or false."));
        }

        if (!JsonFields.TryGetString(body, "url", out var url, out error))
        {
            return (null, ApiProblems.Invalid("url", error!));
        }

        if (!JsonFields.TryGetString(body, "username", out var username, out error))
        {
            return (null, ApiProblems.Invalid("username", error!));
        }

        if (!JsonFields.TryGetString(body, "password", out var password, out error))
        {
            return (null, ApiProblems.Invalid("password", error!));
        }

        if (!JsonFields.TryGetBool(body, "serviceNowWrapper", out var wrapper, out error))
        {
            return (null, ApiProblems.Invalid("serviceNowWrapper", error!));
        }

        if (!JsonFields.TryGetBool(body, "signatures", out var signatures, out error))
        {
            return (null, ApiProblems.Invalid("signatures", error!));
        }

        // An explicit null password keeps the stored one, like an absent one; "" clears it. An absent
        // "signatures" keeps them as they are, so a client written before they existed cannot turn them off.
        return (new WebhookSettingsUpdate(enabled.Value, url, username, password, wrapper ?? false, signatures), null);
    }

    private static async Task<Results<Ok<WebhookSettings>, ProblemHttpResult>> PutSettings(string accountId, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (update, problem) = await ReadUpdateAsync(request, cancellationToken);
        if (update is null)
        {
            return problem!;
        }

        return ToHttpResult(accountId, await grains.GetGrain<IAccountGrain>(accountId).UpdateSettings(update));
    }

    /// <summary>The answer to a settings update: the stored settings, or the problem (403 plan, 400 naming the field, 404).</summary>
    public static Results<Ok<WebhookSettings>, ProblemHttpResult> ToHttpResult(string accountId, SettingsUpdateResult result) =>
        result.Outcome switch
        {
            SettingsUpdateOutcome.Updated => TypedResults.Ok(result.Settings!),
            SettingsUpdateOutcome.PlanDoesNotAllowWebhooks => ApiProblems.Forbidden(result.Error!),
            SettingsUpdateOutcome.Invalid => ApiProblems.Invalid(result.Field!, result.Error!),
            _ => ApiProblems.AccountNotFound(accountId),
        };
}
