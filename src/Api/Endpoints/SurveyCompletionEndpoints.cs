using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Endpoints;

public static class SurveyCompletionEndpoints
{
    public static RouteGroupBuilder MapSurveyCompletions(this RouteGroupBuilder api)
    {
        api.MapGroup("/accounts/{accountId}/survey-completions").RequireSystemKey().RequireRateLimiting(RateLimits.CompletionsPolicy).WithTags("Survey completions")
            .MapPost("", PostCompletion).AcceptsJsonBody<SurveyCompletionRequest>().ProducesProblems(StatusCodes.Status404NotFound)
            .WithName("PostSurveyCompletion").WithSummary("Post a survey completion (triggers a webhook)");
        return api;
    }

    /// <summary>202 with the id when a webhook was triggered, 200 when it already was or webhooks are off.</summary>
    public sealed record CompletionResponse(
        string? WebhookId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null);

    /// <summary>The body of a completion as the survey app posts it (read by <see cref="SurveyCompletionReader"/>).</summary>
    public sealed record SurveyCompletionRequest
    {
        [JsonPropertyName("Listening_Post"), Description("Transactional (when absent) or Relationship.")]
        public ListeningPost? ListeningPost { get; init; }

        [JsonPropertyName("Response_ID"), Required, Description("Not empty or only white space, at most 128 characters, no NUL character (U+0000).")]
        public required string ResponseId { get; init; }

        [JsonPropertyName("Response_Datetime_UTC"), Description("yyyy-MM-dd HH:mm:ss in UTC, or ISO 8601; absent: when the service received it.")]
        public string? ResponseDatetimeUtc { get; init; }

        [JsonPropertyName("Ticket_ID")]
        public string? TicketId { get; init; }

        [JsonPropertyName("Support_Group_Code")]
        public string? SupportGroupCode { get; init; }

        [JsonPropertyName("Support_Group_Name")]
        public string? SupportGroupName { get; init; }

        [JsonPropertyName("Agent_ID")]
        public string? AgentId { get; init; }

        [JsonPropertyName("Segment_Code")]
        public string? SegmentCode { get; init; }

        [JsonPropertyName("Segment_Name")]
        public string? SegmentName { get; init; }

        [JsonPropertyName("Segment_2_Code")]
        public string? Segment2Code { get; init; }

        [JsonPropertyName("Segment_2_Name")]
        public string? Segment2Name { get; init; }

        [JsonPropertyName("Customer")]
        public string? Customer { get; init; }

        [JsonPropertyName("Overall"), Required, Range(0, 10), Description("A whole number from 0 to 10.")]
        public required int Overall { get; init; }

        [JsonPropertyName("Selected_Factors"), Description("Experience factors the customer selected; none when absent.")]
        public IReadOnlyList<ExperienceFactor>? SelectedFactors { get; init; }

        [JsonPropertyName("Comments")]
        public string? Comments { get; init; }

        [JsonPropertyName("Survey_Description")]
        public string? SurveyDescription { get; init; }

        [JsonPropertyName("Survey_Language")]
        public string? SurveyLanguage { get; init; }
    }

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
