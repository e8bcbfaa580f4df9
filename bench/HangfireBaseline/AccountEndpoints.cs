using CIOPulse.Api.Auth;
using CIOPulse.Api.Json;
using CIOPulse.Api.Problems;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ProductAccountEndpoints = CIOPulse.Api.Endpoints.AccountEndpoints;

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
        if (!AccountIds.IsValid(accountId))
        {
            return ApiProblems.Invalid("accountId", "must be 1 to 64 characters of a-z, 0-9 and '-'.");
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!JsonFields.TryGetString(body, "name", out var name, out var error))
        {
            return ApiProblems.Invalid("name", error!);
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > ProductAccountEndpoints.MaxNameLength)
        {
            return ApiProblems.Invalid("name", $"is required: 1 to {ProductAccountEndpoints.MaxNameLength} characters.");
        }

        if (!JsonFields.TryGetString(body, "plan", out var planText, out error))
        {
            return ApiProblems.Invalid("plan", error!);
        }

        if (!EnumNames.TryParse<AccountPlan>(planText, out var plan))
        {
            return ApiProblems.Invalid("plan", "is required: Standard, Corporate or Enterprise.");
        }

        return TypedResults.Ok(await accounts.UpsertAsync(accountId, name.Trim(), plan, cancellationToken));
    }

    private static async Task<Results<Ok<WebhookSettings>, ProblemHttpResult>> PutSettings(
        string accountId, HttpRequest request, AccountStore accounts, IOptions<WebhookOptions> options, CancellationToken cancellationToken)
    {
        if (!AccountIds.IsValid(accountId) || await accounts.GetPlanAsync(accountId, cancellationToken) is not { } plan)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var (body, problem) = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!JsonFields.TryGetBool(body, "enabled", out var enabled, out var error) || enabled is null)
        {
            return ApiProblems.Invalid("enabled", error ?? "is required: true or false.");
        }

        if (!JsonFields.TryGetString(body, "url", out var url, out error))
        {
            return ApiProblems.Invalid("url", error!);
        }

        if (!JsonFields.TryGetString(body, "username", out var username, out error))
        {
            return ApiProblems.Invalid("username", error!);
        }

        if (!JsonFields.TryGetString(body, "password", out var password, out error))
        {
            return ApiProblems.Invalid("password", error!);
        }

        if (!JsonFields.TryGetBool(body, "serviceNowWrapper", out var wrapper, out error))
        {
            return ApiProblems.Invalid("serviceNowWrapper", error!);
        }

        if (enabled.Value && !AccountGrain.AllowsWebhooks(plan))
        {
            return ApiProblems.Forbidden($"Webhooks are available on the Corporate and Enterprise plans; this account is on the {plan} plan.");
        }

        url = string.IsNullOrWhiteSpace(url) ? null : url.Trim();
        if (url is null && enabled.Value)
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

        var update = new WebhookSettingsUpdate(enabled.Value, url, username, password, wrapper ?? false);
        return await accounts.UpdateSettingsAsync(accountId, update, cancellationToken) is { } settings
            ? TypedResults.Ok(settings)
            : ApiProblems.AccountNotFound(accountId);
    }
}
