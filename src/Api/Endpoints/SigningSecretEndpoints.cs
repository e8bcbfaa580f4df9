using System.ComponentModel;
using CIOPulse.Api.Auth;
using CIOPulse.Api.OpenApi;
using CIOPulse.Api.Problems;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

/// <summary>The account's webhook signing secret (Standard Webhooks): made or rotated here, and shown only in that answer.</summary>
public static class SigningSecretEndpoints
{
    public const string Path = "/accounts/{accountId}/webhook-settings/signing-secret";

    public static RouteGroupBuilder MapSigningSecret(this RouteGroupBuilder api)
    {
        var secret = api.MapGroup(Path).RequireAccountAccess().WithTags("Webhook settings");
        // 403: a Standard-plan account (no webhooks, so nothing to sign).
        secret.MapPost("", CreateOrRotate).ProducesProblems(StatusCodes.Status403Forbidden)
            .WithName("CreateSigningSecret").WithSummary("Create the webhook signing secret, or rotate it")
            .WithDescription("Makes the account's first whsec_ signing secret (201) or replaces it (200); after a rotation the replaced secret " +
                "keeps signing beside the new one until previousSignsUntilUtc (Webhooks:SigningSecretOverlap, 24 hours by default). " +
                "The secret is in this answer only: store it now. Signatures are turned on separately, with \"signatures\": true in PUT …/webhook-settings.");
        return api;
    }

    /// <summary>A signing secret just made, shown this once.</summary>
    public sealed record SigningSecretResponse(
        [property: Description("whsec_ followed by base64 of 32 random bytes; the HMAC-SHA256 key is the decoded base64. Shown only here.")]
        string Secret,
        [property: Description("When this secret was made (UTC).")]
        DateTime CreatedUtc,
        [property: Description("After a rotation: until when the replaced secret also signs (UTC); null for the first secret.")]
        DateTime? PreviousSignsUntilUtc);

    private static async Task<Results<Created<SigningSecretResponse>, Ok<SigningSecretResponse>, ProblemHttpResult>> CreateOrRotate(
        string accountId, HttpContext context, IGrainFactory grains)
    {
        var issue = await grains.GetGrain<IAccountGrain>(accountId).CreateSigningSecret();
        if (issue.Outcome is SigningSecretOutcome.Created or SigningSecretOutcome.Rotated)
        {
            // The one answer that holds the secret: no cache keeps it.
            context.Response.Headers.CacheControl = "no-store";
        }

        return issue.Outcome switch
        {
            SigningSecretOutcome.Created => TypedResults.Created((string?)null, ToResponse(issue)),
            SigningSecretOutcome.Rotated => TypedResults.Ok(ToResponse(issue)),
            SigningSecretOutcome.PlanDoesNotAllowWebhooks => ApiProblems.Forbidden(issue.Error!),
            _ => ApiProblems.AccountNotFound(accountId),
        };
    }

    private static SigningSecretResponse ToResponse(SigningSecretIssue issue) => new(issue.Secret!, issue.CreatedUtc!.Value, issue.PreviousSignsUntilUtc);
}
