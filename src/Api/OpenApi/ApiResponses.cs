using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.OpenApi;

/// <summary>
/// The OpenAPI metadata of what a route answers beyond its typed results: its problem details and
/// the JSON body it reads by hand (JsonBody), so the document says what the route really does.
/// </summary>
public static class ApiResponses
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Declares problem-details answers; a 400 is the validation form (with its <c>errors</c> map).</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            var type = status == StatusCodes.Status400BadRequest ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails);
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, type, [ProblemJson]));
        }

        return builder;
    }

    /// <summary>
    /// A JSON object body of shape <typeparamref name="TBody"/>, read by <see cref="Json.JsonBody"/>:
    /// 400 when it is not a valid one, 413 past 1 MiB, 415 for a content type that is not JSON.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJsonBody<TBody>(this RouteHandlerBuilder builder)
        where TBody : notnull =>
        builder.Accepts<TBody>("application/json")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
}
