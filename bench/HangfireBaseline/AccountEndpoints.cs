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
    private const int MaxCredentialLength = 256;

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
        string accountId, HttpRequest request, AccountStore accounts, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
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

        var (enabled, url, username, password) = (update.Enabled, update.Url, update.Username, update.Password);
        if (enabled && !AccountGrain.AllowsWebhooks(plan))
        {
            return ApiProblems.Forbidden($"Webhooks are available on the Corporate and Enterprise plans; this account is on the {plan} plan.");
        }

        url = string.IsNullOrWhiteSpace(url) ? null : url.Trim();
        if (url is null && enabled)
        {
            return ApiProblems.Invalid("url", "A webhook URL is required to turn webhooks on.");
        }

        if (url is not null)
        {
            if (DestinationPolicy.ValidateUrlSyntax(url) is { } syntaxProblem)
            {
                return ApiProblems.Invalid("url", $"The webhook URL {syntaxProblem}.");
            }

            if (await DestinationPolicy.CheckDestinationAsync(new Uri(url), options.Value.AllowPrivateNetworks, System.Net.Dns.GetHostAddressesAsync, cancellationToken) is { } destinationProblem)
            {
                return ApiProblems.Invalid("url", $"The webhook URL's host {destinationProblem}.");
            }
        }

        username = string.IsNullOrEmpty(username) ? null : username;
        if (username is not null && (username.Length > MaxCredentialLength || username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl)))
        {
            return ApiProblems.Invalid("username", $"The username must be at most {MaxCredentialLength} characters, without ':' or control characters.");
        }

        if (password is { Length: > MaxCredentialLength })
        {
            return ApiProblems.Invalid("password", $"The password must be at most {MaxCredentialLength} characters.");
        }

        return await accounts.UpdateSettingsAsync(accountId, update with { Url = url, Username = username }, cancellationToken) is { } settings
            ? TypedResults.Ok(settings)
            : ApiProblems.AccountNotFound(accountId);
    }
}
