using System.ComponentModel;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api.Endpoints;

public static class WebhookLogEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapWebhookLog(this RouteGroupBuilder api)
    {
        var log = api.MapGroup("/accounts/{accountId}/webhook-log").RequireAccountAccess().WithTags("Webhook Log");
        log.MapGet("", ListLog).ProducesProblems(StatusCodes.Status400BadRequest)
            .WithName("ListWebhookLog").WithSummary("A page of the Webhook Log, most recent activity first");
        log.MapGet("/{webhookId}", GetEntry)
            .WithName("GetWebhookLogEntry").WithSummary("One webhook with its payload and attempts")
            .WithDescription("The payload exactly as POSTed and every attempt. Once the retention (Webhooks:RetentionDays after the last activity) " +
                "has removed the payload and the response bodies of a finished webhook, expired is true, expiredUtc says when, payload is null " +
                "and each attempt's response is null; the codes, times and errors stay.");
        log.MapPost("/{webhookId}/resend", Resend).ProducesProblems(StatusCodes.Status409Conflict)
            .WithName("ResendWebhook").WithSummary("Make one more attempt at once")
            .WithDescription("202 once the request is stored; the attempt starts now, whatever the status. 409 when the webhook has expired: its payload was removed.");
        return api;
    }

    public sealed record LogPageResponse(IReadOnlyList<WebhookLogItem> Items, string? NextCursor);

    public sealed record LogEntryResponse(
        string WebhookId,
        string ResponseId,
        ListeningPost ListeningPost,
        DateTime LastActivityUtc,
        int? LastResponseCode,
        string? LastResponse,
        int Attempts,
        WebhookStatus Status,
        bool Expired,
        string? Payload,
        IReadOnlyList<AttemptRecord> AttemptHistory,
        DateTime? NextAttemptDueUtc,
        DateTime? ExpiredUtc,
        bool Test);

    public sealed record ResendResponse(string WebhookId);

    /// <summary>The longest search: a Response_ID's length (a Webhook_ID has 13 characters).</summary>
    public const int MaxSearchLength = 128;

    private static async Task<Results<Ok<LogPageResponse>, ProblemHttpResult>> ListLog(
        string accountId,
        [Description("InProgress, Succeeded or Failed.")] string? status,
        [Description("Transactional or Relationship.")] string? listeningPost,
        [Description("A Webhook ID or a Response_ID, matched exactly; at most 128 characters.")] string? search,
        [Description("Page size, 1 to 500; default 50.")] string? limit,
        [Description("The nextCursor of the previous page; absent for the first page.")] string? cursor,
        IGrainFactory grains)
    {
        var (query, problem) = ReadQuery(status, listeningPost, search, limit, cursor);
        if (query is null)
        {
            return problem!;
        }

        var page = await grains.GetGrain<IWebhookLogGrain>(0).Query(accountId, query);
        return page.Error is { } error
            ? ApiProblems.Invalid("cursor", error)
            : TypedResults.Ok(new LogPageResponse(page.Items, page.NextCursor));
    }

    /// <summary>
    /// The log query the parameters of <c>GET …/webhook-log</c> (and the portal's log page) ask for,
    /// or the problem naming the parameter at fault. A parameter given empty is at fault (the portal
    /// leaves out what its form left empty).
    /// </summary>
    public static (WebhookLogQuery? Query, ProblemHttpResult? Problem) ReadQuery(string? status, string? listeningPost, string? search, string? limit, string? cursor)
    {
        WebhookStatus? statusFilter = null;
        if (status is not null)
        {
            if (!EnumNames.TryParse<WebhookStatus>(status, out var parsed))
            {
                return Refused(ApiProblems.Invalid("status", "must be InProgress, Succeeded or Failed."));
            }

            statusFilter = parsed;
        }

        ListeningPost? listeningPostFilter = null;
        if (listeningPost is not null)
        {
            if (!EnumNames.TryParse<ListeningPost>(listeningPost, out var parsed))
            {
                return Refused(ApiProblems.Invalid("listeningPost", "must be Transactional or Relationship."));
            }

            listeningPostFilter = parsed;
        }

        var searchFor = search?.Trim();
        if (searchFor is not null && (searchFor.Length is 0 or > MaxSearchLength || searchFor.Any(char.IsControl)))
        {
            return Refused(ApiProblems.Invalid("search", $"must be a Webhook ID or a Response ID: at most {MaxSearchLength} characters, no control characters."));
        }

        var pageSize = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxLimit))
        {
            return Refused(ApiProblems.Invalid("limit", $"must be a whole number from 1 to {MaxLimit}."));
        }

        return (new WebhookLogQuery(statusFilter, listeningPostFilter, pageSize, string.IsNullOrEmpty(cursor) ? null : cursor, searchFor), null);

        static (WebhookLogQuery?, ProblemHttpResult?) Refused(ProblemHttpResult problem) => (null, problem);
    }

    private static async Task<Results<Ok<LogEntryResponse>, ProblemHttpResult>> GetEntry(string accountId, string webhookId, IGrainFactory grains)
    {
        if (!IsWebhookId(webhookId) || await grains.GetGrain<IWebhookDeliveryGrain>(webhookId).GetDetail(accountId) is not { } detail)
        {
            return ApiProblems.WebhookNotFound(webhookId);
        }

        var item = detail.Item;
        return TypedResults.Ok(new LogEntryResponse(item.WebhookId, item.ResponseId, item.ListeningPost, item.LastActivityUtc, item.LastResponseCode,
            item.LastResponse, item.Attempts, item.Status, item.Expired, item.Expired ? null : detail.Payload, detail.AttemptHistory, detail.NextAttemptDueUtc,
            detail.ExpiredUtc, item.Test));
    }

    private static async Task<Results<Accepted<ResendResponse>, ProblemHttpResult>> Resend(
        string accountId, string webhookId, IGrainFactory grains, IOptions<RetentionOptions> retention) =>
        (IsWebhookId(webhookId) ? await grains.GetGrain<IWebhookDeliveryGrain>(webhookId).Resend(accountId) : ResendOutcome.NotFound) switch
        {
            ResendOutcome.Accepted => TypedResults.Accepted((string?)null, new ResendResponse(webhookId)),
            ResendOutcome.Expired => ApiProblems.WebhookExpired(webhookId, retention.Value.DaysText),
            _ => ApiProblems.WebhookNotFound(webhookId),
        };

    /// <summary>
    /// The shape of a Webhook_ID (13 lowercase hex characters, as WebhookIds in src/Grains derives
    /// them); anything else cannot exist, so it never activates a grain.
    /// </summary>
    public static bool IsWebhookId(string? id) =>
        id is { Length: 13 } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
