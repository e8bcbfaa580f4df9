namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.SigningSecretOutcome")]
public enum SigningSecretOutcome
{
    /// <summary>The account's first signing secret.</summary>
    Created = 0,

    /// <summary>A new secret replaced the newest one, which keeps signing for the overlap.</summary>
    Rotated = 1,
    AccountNotFound = 2,
    PlanDoesNotAllowWebhooks = 3,
}

/// <summary>
/// A signing secret just made: the only time its <see cref="Secret"/> (<c>whsec_…</c>) leaves the
/// account grain. <see cref="PreviousSignsUntilUtc"/> is set after a rotation.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.SigningSecretIssue")]
public sealed record SigningSecretIssue(
    [property: Id(0)] SigningSecretOutcome Outcome,
    [property: Id(1)] string? Secret = null,
    [property: Id(2)] DateTime? CreatedUtc = null,
    [property: Id(3)] DateTime? PreviousSignsUntilUtc = null,
    [property: Id(4)] string? Error = null);
