using CIOPulse.Api.Auth;
using CIOPulse.Api.Problems;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProductAccountEndpoints = CIOPulse.Api.Endpoints.AccountEndpoints;
using ProductSettingsEndpoints = CIOPulse.Api.Endpoints.WebhookSettingsEndpoints;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// <c>PUT /api/v1/accounts/{accountId}</c> and <c>PUT …/webhook-settings</c>, with the product's
/// request reading and validation rules (system key only in the baseline).
/// </summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder api)
    {
        var account = api.MapGroup("/accounts/{accountId}").RequireSystemKey();
        account.MapPut("", PutAccount);
        account.MapPut("/webhook-settings", PutSettings);
        return api;
    }

    private static async Task<Results<Ok<Account>, ProblemHttpResult>> PutAccount(
        string accountId, HttpRequest request, AccountStore accounts, CancellationToken cancellationToken)
    {
        var (name, plan, problem) = await ProductAccountEndpoints.ReadAccountAsync(accountId, request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Ok(await accounts.UpsertAsync(accountId, name, plan, cancellationToken));
    }

    private static async Task<Results<Ok<WebhookSettings>, ProblemHttpResult>> PutSettings(
        string accountId, HttpRequest request, AccountStore accounts, IOptions<WebhookOptions> options, IDestinationResolver resolver, CancellationToken cancellationToken)
    {
        if (!AccountIds.IsValid(accountId) || await accounts.GetPlanAsync(accountId, cancellationToken) is not { } plan)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var (update, problem) = await ProductSettingsEndpoints.ReadUpdateAsync(request, cancellationToken);
        if (update is null)
        {
            return problem!;
        }

        var (accepted, refusal) = await AccountGrain.CheckSettingsAsync(update, plan, options.Value.AllowPrivateNetworks, resolver, cancellationToken);
        if (refusal is not null)
        {
            return ProductSettingsEndpoints.ToHttpResult(accountId, refusal);
        }

        return await accounts.UpdateSettingsAsync(accountId, accepted, cancellationToken) is { } settings
            ? TypedResults.Ok(settings)
            : ApiProblems.AccountNotFound(accountId);
    }
}
