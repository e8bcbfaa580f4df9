using Microsoft.AspNetCore.Diagnostics;

namespace CIOPulse.Api.Problems;

/// <summary>
/// Maps failures of the cluster or its storage to 503 with Retry-After, so a caller knows the request
/// was not accepted and may be repeated (completions are idempotent); anything else stays a 500.
/// Either way the body is problem details without internals.
/// </summary>
public sealed partial class ServiceUnavailableExceptionHandler(IProblemDetailsService problemDetails, ILogger<ServiceUnavailableExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (Portal.PortalExtensions.IsPortalRequest(httpContext))
        {
            // The portal shows its own error page (which also tells 503 from 500).
            return false;
        }

        var unavailable = IsUnavailable(exception);
        if (unavailable)
        {
            LogUnavailable(httpContext.Request.Path, exception.GetType().Name, exception.Message);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else
        {
            httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = httpContext.Response.StatusCode,
                Title = unavailable ? "Service unavailable" : "Internal error",
                Detail = unavailable
                    ? "The service could not reach its cluster or database; nothing was accepted. Retry shortly."
                    : "An unexpected error occurred.",
            },
        });
    }

    /// <summary>Timeouts, Orleans messaging and storage failures, and database errors, at any depth.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OrleansException or System.Data.Common.DbException or System.Net.Sockets.SocketException)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsUnavailable))
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Path} answered 503: {ExceptionType}: {Message}")]
    private partial void LogUnavailable(string path, string exceptionType, string message);
}
