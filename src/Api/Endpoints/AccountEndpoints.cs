using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

public static class AccountEndpoints
{
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts/{accountId}").RequireSystemKey().WithTags("Accounts");
        accounts.MapPut("", PutAccount).AcceptsJsonBody<AccountRequest>()
            .WithName("PutAccount").WithSummary("Create or update an account");
        accounts.MapPost("/keys", IssueKey).ProducesProblems(StatusCodes.Status404NotFound)
            .WithName("IssueAccountKey").WithSummary("Issue an account key (shown only in this answer)");
        return api;
    }

    public sealed record KeyResponse(string Key);

    /// <summary>The body of <c>PUT /accounts/{accountId}</c> (read by <see cref="ReadAccountAsync"/>).</summary>
    public sealed record AccountRequest
    {
        [Required, Description("1 to 200 characters, not only white space; stored trimmed.")]
        public required string Name { get; init; }

        [Required, Description("Webhooks are available on Corporate and Enterprise; moving to Standard turns them off.")]
        public required AccountPlan Plan { get; init; }
    }

    /// <summary>A valid <c>PUT /accounts/{accountId}</c>: the trimmed name and the plan, or the problem naming the field.</summary>
    public static async Task<(string Name, AccountPlan Plan, ProblemHttpResult? Problem)> ReadAccountAsync(
        string accountId, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!AccountIds.IsValid(accountId))
        {
            return Refused(ApiProblems.Invalid("accountId", "must be 1 to 64 characters of a-z, 0-9 and '-'."));
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return Refused(problem);
        }

        if (!JsonFields.TryGetString(body, "name", out var name, out var error))
        {
            return Refused(ApiProblems.Invalid("name", error!));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            return Refused(ApiProblems.Invalid("name", $"is required: 1 to {MaxNameLength} characters."));
        }

        if (!JsonFields.TryGetString(body, "plan", out var planText, out error))
        {
            return Refused(ApiProblems.Invalid("plan", error!));
        }

        if (!EnumNames.TryParse<AccountPlan>(planText, out var plan))
        {
            return Refused(ApiProblems.Invalid("plan", "is required: Standard, Corporate or Enterprise."));
        }

        return (name.Trim(), plan, null);

        static (string, AccountPlan, ProblemHttpResult?) Refused(ProblemHttpResult problem) => ("", default, problem);
    }

    private static async Task<Results<Ok<Account>, ProblemHttpResult>> PutAccount(string accountId, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (name, plan, problem) = await ReadAccountAsync(accountId, request, cancellationToken);
        return problem ?? (Results<Ok<Account>, ProblemHttpResult>)TypedResults.Ok(await grains.GetGrain<IAccountGrain>(accountId).Upsert(name, plan));
    }

    private static async Task<Results<Created<KeyResponse>, ProblemHttpResult>> IssueKey(string accountId, IGrainFactory grains)
    {
        if (!AccountIds.IsValid(accountId))
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var key = ApiKeys.Create(accountId);
        return await grains.GetGrain<IAccountGrain>(accountId).AddKey(ApiKeys.Hash(key))
            ? TypedResults.Created((string?)null, new KeyResponse(key))
            : ApiProblems.AccountNotFound(accountId);
    }
}
