namespace CIOPulse.Api.Portal;

/// <summary>Reads the API's problem details for the portal, which shows them next to the field they name.</summary>
public static class PortalProblems
{
    /// <summary>The field a 400 names and its message (the problem's <c>errors</c> map), or null and the detail.</summary>
    public static (string? Field, string Message) FieldError(ProblemHttpResult problem)
    {
        if (problem.ProblemDetails.Extensions.TryGetValue("errors", out var value)
            && value is IDictionary<string, string[]> errors
            && errors.FirstOrDefault() is { Key: { } field, Value: [var message, ..] })
        {
            return (field, message);
        }

        return (null, problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "The request was refused.");
    }
}
