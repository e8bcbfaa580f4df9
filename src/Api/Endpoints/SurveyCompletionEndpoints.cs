using System.Text.Json.Serialization;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

public static class SurveyCompletionEndpoints
{
    public static RouteGroupBuilder MapSurveyCompletions(this RouteGroupBuilder api)
    {
        api.MapGroup("/accounts/{accountId}/survey-completions").RequireSystemKey().MapPost("", PostCompletion);
        return api;
    }

    /// <summary>202 with the id when a webhook was triggered, 200 when it already was or webhooks are off.</summary>
    public sealed record CompletionResponse(
        string? WebhookId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

    private static async Task<Results<Accepted<CompletionResponse>, Ok<CompletionResponse>, ProblemHttpResult>> PostCompletion(
        string accountId, HttpRequest request, IGrainFactory grains, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!AccountIds.IsValid(accountId))
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (completion, field, error) = SurveyCompletionReader.Read(body, timeProvider.GetUtcNow().UtcDateTime);
        if (completion is null)
        {
            return ApiProblems.Invalid(field!, error!);
        }

        var result = await grains.GetGrain<ISurveyCompletionGrain>(0).Submit(accountId, completion);
        return result.Outcome switch
        {
            SubmitOutcome.Accepted => TypedResults.Accepted((string?)null, new CompletionResponse(result.WebhookId)),
            SubmitOutcome.Duplicate => TypedResults.Ok(new CompletionResponse(result.WebhookId, "This survey response was already posted; no new webhook was triggered.")),
            SubmitOutcome.WebhooksOff => TypedResults.Ok(new CompletionResponse(null, result.Reason)),
            _ => ApiProblems.AccountNotFound(accountId),
        };
    }
}
