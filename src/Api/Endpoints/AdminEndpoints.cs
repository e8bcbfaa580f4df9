using CIOPulse.Api.Auth;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Api.Endpoints;

/// <summary>Operator routes (system key only).</summary>
public static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").RequireSystemKey().WithTags("Administration");
        admin.MapPost("/secrets/re-encrypt", ReEncryptSecrets)
            .WithName("ReEncryptSecrets").WithSummary("Re-encrypt stored secrets with the newest key");
        return api;
    }

    /// <summary>
    /// Re-encrypts every stored webhook password and portal key with the newest key, and answers what
    /// it did; the pass is idempotent, so it can simply be run again (after a timeout, say).
    /// </summary>
    private static async Task<Ok<SecretsReEncryptionReport>> ReEncryptSecrets(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ISecretsMaintenanceGrain>(ISecretsMaintenanceGrain.Key).ReEncryptAll());
}
