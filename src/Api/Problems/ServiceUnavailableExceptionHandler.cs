using Microsoft.AspNetCore.Diagnostics;

namespace CIOPulse.Api.Problems;

/// <summary>
/// Maps failures of the cluster or its storage to 503 with Retry-After, so a caller knows the request
/// was not accepted and may be repeated (completions are idempotent); anything else stays a 500,
/// logged at Error. Either way the body is problem details without internals, with the trace id the
/// log line carries.
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
        var traceId = System.Diagnostics.Activity.Current?.Id ?? httpContext.TraceIdentifier;
        if (unavailable)
        {
            LogUnavailable(httpContext.Request.Path, traceId, exception.GetType().Name, exception.Message);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else
        {
            LogUnhandled(httpContext.Request.Method, httpContext.Request.Path, traceId, exception);
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
                    : "An unexpected error occurred; quote the traceId when you report it.",
                Extensions = { ["traceId"] = traceId },
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Path} answered 503 (trace {TraceId}): {ExceptionType}: {Message}")]
    private partial void LogUnavailable(string path, string traceId, string exceptionType, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed and answered 500 (trace {TraceId})")]
    private partial void LogUnhandled(string method, string path, string traceId, Exception exception);
}
