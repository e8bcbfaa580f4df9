using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

/// <summary>
/// Bulk resend (<c>…/webhook-log/resend-batch</c>): a dry run counts what a filter would resend; a
/// start fixes that set and runs a tracked operation over it, one at a time per account, at a
/// bounded rate; its progress can be read and it can be cancelled.
/// </summary>
public static class BulkResendEndpoints
{
    public static RouteGroupBuilder MapBulkResend(this RouteGroupBuilder api)
    {
        var batch = api.MapGroup("/accounts/{accountId}/webhook-log/resend-batch").RequireAccountAccess().WithTags("Bulk resend");
        batch.MapPost("", StartBatch).AcceptsJsonBody<BulkResendRequest>().ProducesProblems(StatusCodes.Status409Conflict)
            .WithName("StartBulkResend").WithSummary("Count (dry run) or resend the webhooks a filter matches, as a tracked operation")
            .WithDescription("With dryRun true: 200 with how many webhooks the filter matches now. Otherwise the matching set is fixed and " +
                "an operation starts (202, Location: its address) that gives each of them one more attempt, at most ratePerSecond a second; " +
                "each attempt shows in its webhook's history with bulkResendId. One operation runs per account at a time (409 names the " +
                "running one); a filter matching more than Webhooks:BulkResendMaxWebhooks (100,000) webhooks is refused with 409.");
        batch.MapGet("/{operationId}", GetBatch)
            .WithName("GetBulkResend").WithSummary("A bulk resend operation's progress");
        batch.MapPost("/{operationId}/cancel", CancelBatch)
            .WithName("CancelBulkResend").WithSummary("Stop a bulk resend: no new resends start; those in flight finish and are counted");
        return api;
    }

    /// <summary>The body of <c>POST …/resend-batch</c> (read by <see cref="ReadRequestAsync"/>).</summary>
    public sealed record BulkResendRequest
    {
        [Description("InProgress, Succeeded or Failed; absent: any.")]
        public string? Status { get; init; }

        [Description("Transactional or Relationship; absent: any.")]
        public string? ListeningPost { get; init; }

        [Description("Required: webhooks whose last activity is at or after this instant (ISO 8601; without a zone it is UTC).")]
        public required DateTime LastActivityFrom { get; init; }

        [Description("Required: webhooks whose last activity is before this instant; after lastActivityFrom and at most 14 days later.")]
        public required DateTime LastActivityUntil { get; init; }

        [Description("An HTTP status 100 to 599, or \"none\" for webhooks whose last attempt got no HTTP answer (timeout, refused connection); absent: any.")]
        public JsonNode? LastResponseCode { get; init; }

        [Description("true: only count the webhooks it would resend (200 {\"count\"}); default false.")]
        public bool? DryRun { get; init; }

        [Description("Resends started per second, 1 to Webhooks:BulkResendMaxRatePerSecond (100); default Webhooks:BulkResendRatePerSecond (10).")]
        public int? RatePerSecond { get; init; }
    }

    public sealed record DryRunResponse(long Count);

    public sealed record StartedResponse(string Id, int Total, BulkResendStatus Status);

    public sealed record FilterResponse(
        WebhookStatus? Status,
        ListeningPost? ListeningPost,
        DateTime LastActivityFrom,
        DateTime LastActivityUntil,
        [property: Description("The number, \"none\" (no HTTP answer), or null (any).")] string? LastResponseCode);

    public sealed record BulkResendResponse(
        string Id,
        BulkResendStatus Status,
        int Total,
        int Done,
        int Succeeded,
        int Failed,
        DateTime StartedUtc,
        DateTime? FinishedUtc,
        FilterResponse Filter,
        int RatePerSecond);

    /// <summary>A well-formed request: the filter, whether it is a dry run, and the rate (null: the default).</summary>
    public sealed record ReadRequest(BulkResendFilter Filter, bool DryRun, int? RatePerSecond);

    public static async Task<(ReadRequest? Request, ProblemHttpResult? Problem)> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return (null, problem);
        }

        var strings = new Dictionary<string, string?>();
        foreach (var name in (string[])["status", "listeningPost", "lastActivityFrom", "lastActivityUntil"])
        {
            if (!JsonFields.TryGetString(body, name, out var value, out var error))
            {
                return (null, ApiProblems.Invalid(name, error!));
            }

            strings[name] = value;
        }

        string? code = null;
        if (body.TryGetProperty("lastResponseCode", out var codeElement))
        {
            switch (codeElement.ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.Number when codeElement.TryGetInt32(out var number):
                    code = number.ToString(CultureInfo.InvariantCulture);
                    break;
                case JsonValueKind.String when string.Equals(codeElement.GetString(), BulkResendInput.None, StringComparison.OrdinalIgnoreCase):
                    code = BulkResendInput.None;
                    break;
                default:
                    return (null, ApiProblems.Invalid("lastResponseCode", "must be an HTTP status from 100 to 599, or \"none\" for webhooks whose last attempt got no HTTP answer."));
            }
        }

        var (filter, field, message) = BulkResendInput.ReadFilter(strings["status"], strings["listeningPost"], strings["lastActivityFrom"], strings["lastActivityUntil"], code);
        if (filter is null)
        {
            return (null, ApiProblems.Invalid(field!, message!));
        }

        if (!JsonFields.TryGetBool(body, "dryRun", out var dryRun, out var boolError))
        {
            return (null, ApiProblems.Invalid("dryRun", boolError!));
        }

        if (!JsonFields.TryGetInt(body, "ratePerSecond", out var rate, out var rateError) || rate is < 1)
        {
            return (null, ApiProblems.Invalid("ratePerSecond", rateError ?? "must be at least 1 (resends started per second)."));
        }

        return (new ReadRequest(filter, dryRun ?? false, rate), null);
    }

    public static BulkResendResponse ToResponse(BulkResendProgress progress) =>
        new(progress.Id, progress.Status, progress.Total, progress.Done, progress.Succeeded, progress.Failed, progress.StartedUtc, progress.FinishedUtc,
            new FilterResponse(progress.Filter.Status, progress.Filter.ListeningPost, progress.Filter.LastActivityFromUtc, progress.Filter.LastActivityUntilUtc,
                BulkResendInput.FormatCode(progress.Filter.LastResponseCode)),
            progress.RatePerSecond);

    /// <summary>The problem for a start that did not start (409 busy or too many, 400 rate), or null when it started.</summary>
    public static ProblemHttpResult? Refusal(BulkResendStartResult result) => result switch
    {
        { Started: not null } => null,
        { RunningOperationId: { } running } => ApiProblems.BulkResendRunning(running),
        { TooManyCount: { } count, MaxWebhooks: { } max } => ApiProblems.BulkResendTooLarge(count, max),
        { MaxRatePerSecond: { } maxRate } => ApiProblems.Invalid("ratePerSecond", $"must be from 1 to {maxRate} (resends started per second)."),
        _ => throw new InvalidOperationException("A bulk resend start answered nothing."),
    };

    private static async Task<Results<Ok<DryRunResponse>, Accepted<StartedResponse>, ProblemHttpResult>> StartBatch(
        string accountId, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (read, problem) = await ReadRequestAsync(request, cancellationToken);
        if (read is null)
        {
            return problem!;
        }

        var coordinator = grains.GetGrain<IBulkResendCoordinatorGrain>(accountId);
        if (read.DryRun)
        {
            return TypedResults.Ok(new DryRunResponse(await coordinator.Count(read.Filter)));
        }

        var result = await coordinator.Start(read.Filter, read.RatePerSecond);
        if (Refusal(result) is { } refused)
        {
            return refused;
        }

        var started = result.Started!;
        return TypedResults.Accepted(
            $"/api/v1/accounts/{Uri.EscapeDataString(accountId)}/webhook-log/resend-batch/{started.Id}",
            new StartedResponse(started.Id, started.Total, started.Status));
    }

    private static async Task<Results<Ok<BulkResendResponse>, ProblemHttpResult>> GetBatch(string accountId, string operationId, IGrainFactory grains) =>
        IsOperationId(operationId) && await grains.GetGrain<IBulkResendGrain>(operationId).GetProgress(accountId) is { } progress
            ? TypedResults.Ok(ToResponse(progress))
            : ApiProblems.BulkResendNotFound(operationId);

    private static async Task<Results<Ok<BulkResendResponse>, ProblemHttpResult>> CancelBatch(string accountId, string operationId, IGrainFactory grains) =>
        IsOperationId(operationId) && await grains.GetGrain<IBulkResendGrain>(operationId).Cancel(accountId) is { } progress
            ? TypedResults.Ok(ToResponse(progress))
            : ApiProblems.BulkResendNotFound(operationId);

    /// <summary>The shape of an operation id (24 lowercase hex characters); anything else cannot exist and activates no grain.</summary>
    public static bool IsOperationId(string? id) =>
        id is { Length: 24 } && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));
}
