using System.Text.Json.Serialization;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Endpoints;

public static class SurveyCompletionEndpoints
{
    public static RouteGroupBuilder MapSurveyCompletions(this RouteGroupBuilder api)
    {
        api.MapGroup("/accounts/{accountId}/survey-completions").RequireSystemKey().RequireRateLimiting(RateLimits.CompletionsPolicy).MapPost("", PostCompletion);
        return api;
    }

    /// <summary>202 with the id when a webhook was triggered, 200 when it already was or webhooks are off.</summary>
    public sealed record CompletionResponse(
        string? WebhookId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

    /// <summary>A valid completion posted for <paramref name="accountId"/>, or the problem (404 for a malformed account id, 400 naming the field).</summary>
    public static async Task<(SurveyCompletion? Completion, ProblemHttpResult? Problem)> ReadCompletionAsync(
        string accountId, HttpRequest request, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!AccountIds.IsValid(accountId))
        {
            return (null, ApiProblems.AccountNotFound(accountId));
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var (completion, field, error) = SurveyCompletionReader.Read(body, timeProvider.GetUtcNow().UtcDateTime);
        return completion is null ? (null, ApiProblems.Invalid(field!, error!)) : (completion, null);
    }

    private static async Task<Results<Accepted<CompletionResponse>, Ok<CompletionResponse>, ProblemHttpResult>> PostCompletion(
        string accountId, HttpRequest request, [FromServices] ISurveyCompletionGrain completions, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var (completion, problem) = await ReadCompletionAsync(accountId, request, timeProvider, cancellationToken);
        if (completion is null)
        {
            return problem!;
        }

        var result = await completions.Submit(accountId, completion);
        return result.Outcome switch
        {
            SubmitOutcome.Accepted => TypedResults.Accepted((string?)null, new CompletionResponse(result.WebhookId)),
            SubmitOutcome.Duplicate => TypedResults.Ok(new CompletionResponse(result.WebhookId, "This survey response was already posted; no new webhook was triggered.")),
            SubmitOutcome.WebhooksOff => TypedResults.Ok(new CompletionResponse(null, result.Reason)),
            _ => ApiProblems.AccountNotFound(accountId),
        };
    }
}
