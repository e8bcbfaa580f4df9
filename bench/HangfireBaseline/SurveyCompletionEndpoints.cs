using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using CompletionResponse = CIOPulse.Api.Endpoints.SurveyCompletionEndpoints.CompletionResponse;
using ProductCompletionEndpoints = CIOPulse.Api.Endpoints.SurveyCompletionEndpoints;

namespace CIOPulse.HangfireBaseline;

/// <summary><c>POST /api/v1/accounts/{accountId}/survey-completions</c>, read and answered as the product does.</summary>
public static class SurveyCompletionEndpoints
{
    public static RouteGroupBuilder MapSurveyCompletions(this RouteGroupBuilder api)
    {
        api.MapGroup("/accounts/{accountId}/survey-completions").RequireSystemKey().MapPost("", PostCompletion);
        return api;
    }

    private static async Task<Results<Accepted<CompletionResponse>, Ok<CompletionResponse>, ProblemHttpResult>> PostCompletion(
        string accountId, HttpRequest request, WebhookAcceptance acceptance, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var (completion, problem) = await ProductCompletionEndpoints.ReadCompletionAsync(accountId, request, timeProvider, cancellationToken);
        if (completion is null)
        {
            return problem!;
        }

        var result = await acceptance.AcceptAsync(accountId, completion, cancellationToken);
        return result.Outcome switch
        {
            SubmitOutcome.Accepted => TypedResults.Accepted((string?)null, new CompletionResponse(result.WebhookId)),
            SubmitOutcome.Duplicate => TypedResults.Ok(new CompletionResponse(result.WebhookId, "This survey response was already posted; no new webhook was triggered.")),
            SubmitOutcome.WebhooksOff => TypedResults.Ok(new CompletionResponse(null, "Webhooks are turned off for this account.")),
            _ => ApiProblems.AccountNotFound(accountId),
        };
    }
}
