namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// The settings as an administrator reads them: the password and the signing secrets themselves
/// never leave the grain (a signing secret is shown once, when it is made).
/// </summary>
/// <param name="SigningSecretCreatedUtc">When the newest signing secret was made; null when there is none.</param>
/// <param name="PreviousSecretSignsUntilUtc">Until when the secret before the last rotation also signs; null when it no longer does.</param>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookSettings")]
public sealed record WebhookSettings(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Username,
    [property: Id(3)] bool HasPassword,
    [property: Id(4)] bool ServiceNowWrapper,
    [property: Id(5)] bool SignaturesEnabled = false,
    [property: Id(6)] DateTime? SigningSecretCreatedUtc = null,
    [property: Id(7)] DateTime? PreviousSecretSignsUntilUtc = null);
