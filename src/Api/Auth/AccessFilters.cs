using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Auth;

/// <summary>
/// Endpoint filters for the two kinds of route: system-only, and account routes that the system or
/// that account may use. Another account's data answers 404 so that its existence is not revealed.
/// </summary>
public static class AccessFilters
{
    public static RouteGroupBuilder RequireSystemKey(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var caller = await Authenticate(context.HttpContext);
            if (caller is null)
            {
                return ApiProblems.Unauthorized();
            }

            return caller.IsSystem
                ? await next(context)
                : ApiProblems.Forbidden("This operation needs the system key.");
        }).ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);

    public static RouteGroupBuilder RequireAccountAccess(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var caller = await Authenticate(context.HttpContext);
            if (caller is null)
            {
                return ApiProblems.Unauthorized();
            }

            var accountId = context.HttpContext.GetRouteValue("accountId") as string ?? "";
            if (!caller.MayAccess(accountId) || !AccountIds.IsValid(accountId))
            {
                return ApiProblems.AccountNotFound(accountId);
            }

            // An account key proves its account exists; the system key may name any id.
            if (caller.IsSystem && await context.HttpContext.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IAccountGrain>(accountId).Get() is null)
            {
                return ApiProblems.AccountNotFound(accountId);
            }

            return await next(context);
        }).ProducesProblems(StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound);

    private static Task<Caller?> Authenticate(HttpContext context) =>
        context.RequestServices.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(context);
}
