using Microsoft.AspNetCore.WebUtilities;

namespace CIOPulse.Api.Problems;

/// <summary>The RFC 9457 problem details this API answers with; every error goes through here.</summary>
public static class ApiProblems
{
    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: "Send a valid API key in the X-Api-Key header.");

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    /// <summary>The request is well formed but the account's saved state does not allow it (no webhook URL to test, say).</summary>
    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>A 429; the caller sets Retry-After.</summary>
    public static ProblemHttpResult TooManyRequests(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: detail);

    public static ProblemHttpResult AccountNotFound(string accountId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Account '{accountId}' was not found.");

    public static ProblemHttpResult WebhookNotFound(string webhookId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Webhook '{webhookId}' was not found in this account's log.");

    public static ProblemHttpResult BulkResendNotFound(string operationId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Bulk resend '{operationId}' was not found for this account.");

    public static ProblemHttpResult BulkResendRunning(string operationId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "A bulk resend is running",
        detail: $"Bulk resend '{operationId}' is still running for this account; one runs at a time. Wait for it to finish or cancel it.",
        extensions: new Dictionary<string, object?> { ["runningOperationId"] = operationId });

    public static ProblemHttpResult BulkResendTooLarge(long count, int max) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Too many webhooks for one bulk resend",
        detail: $"The filter matches {count} webhooks; one bulk resend takes at most {max}. Narrow it (a shorter window, a status, a listening post or a response code).");

    /// <summary>A resend of a webhook whose payload the retention removed: there is nothing to send.</summary>
    public static ProblemHttpResult WebhookExpired(string webhookId, string retention) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Webhook expired",
        detail: $"Webhook '{webhookId}' cannot be resent: its payload was removed after {retention} (Webhooks:RetentionDays).");

    /// <summary>A 400 that names the offending field both in the detail and in <c>errors</c>.</summary>
    public static ProblemHttpResult Invalid(string field, string message) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid request",
        detail: $"{field}: {message}",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult BadBody(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body", detail: detail);

    public static ProblemHttpResult UnreadableBody(int status, string reason) => TypedResults.Problem(
        statusCode: status, title: "Unreadable request body", detail: $"The body could not be read as sent: {reason}");

    public static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"The body must be at most {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the body as application/json.");

    /// <summary>
    /// The detail of a problem the framework writes without one: an unknown route (404), a method the
    /// route does not take (405, naming the ones it does), or a status set without a body.
    /// </summary>
    public static string DefaultDetail(HttpContext context, int status) => status switch
    {
        StatusCodes.Status404NotFound => "Nothing answers at this address; the API's routes are under /api/v1/accounts/{accountId}.",
        StatusCodes.Status405MethodNotAllowed => context.Response.Headers.Allow is { Count: > 0 } allow
            ? $"This address does not take {context.Request.Method}; it takes {string.Join(", ", allow.ToArray())}."
            : $"This address does not take {context.Request.Method}.",
        StatusCodes.Status400BadRequest => "The request is malformed.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
        _ => $"The request was answered {status} {ReasonPhrases.GetReasonPhrase(status)}.",
    };
}
