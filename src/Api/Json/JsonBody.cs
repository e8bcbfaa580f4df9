using System.Text.Json;
using CIOPulse.Api.Problems;
using Microsoft.AspNetCore.Http.Features;

namespace CIOPulse.Api.Json;

/// <summary>
/// Reads a request body as a JSON object with the API's rules: at most 1 MiB (413), JSON content
/// type when one is given (415), a problem detail that says where the JSON is broken (400), and
/// only text that decodes and members given once (<see cref="StrictJson"/>: 400 naming the member).
/// </summary>
public static class JsonBody
{
    public const long MaxBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32 };

    public static async Task<(JsonElement Root, ProblemHttpResult? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentType is { Length: > 0 } contentType
            && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !contentType.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, ApiProblems.UnsupportedMediaType());
        }

        if (request.ContentLength > MaxBytes)
        {
            return (default, ApiProblems.TooLarge(MaxBytes));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, Options, cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (default, ApiProblems.BadBody("The body must be a JSON object."));
            }

            if (StrictJson.FindFault(document.RootElement) is var (field, message))
            {
                return (default, ApiProblems.Invalid(field, message));
            }

            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : "";
            return (default, ApiProblems.BadBody($"The body is not valid JSON{where}."));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, ApiProblems.TooLarge(MaxBytes));
        }
        catch (BadHttpRequestException e)
        {
            // The server could not read the body as sent (broken chunked framing, a body shorter than its Content-Length).
            return (default, ApiProblems.UnreadableBody(e.StatusCode, e.Message));
        }
        catch (IOException e)
        {
            // Kestrel reports some framing faults this way (a chunk size that overflows), and a
            // connection the client dropped; either way the body as sent cannot be read.
            return (default, ApiProblems.UnreadableBody(StatusCodes.Status400BadRequest, e.Message));
        }
    }
}
