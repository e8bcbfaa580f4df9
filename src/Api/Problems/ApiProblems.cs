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

    public static ProblemHttpResult AccountNotFound(string accountId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Account '{accountId}' was not found.");

    public static ProblemHttpResult WebhookNotFound(string webhookId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Webhook '{webhookId}' was not found in this account's log.");

    /// <summary>A 400 that names the offending field both in the detail and in <c>errors</c>.</summary>
    public static ProblemHttpResult Invalid(string field, string message) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid request",
        detail: $"{field}: {message}",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ProblemHttpResult BadBody(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body", detail: detail);

    public static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: $"The body must be at most {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "Send the body as application/json.");
}
