namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// A settings change. <see cref="Password"/> null keeps the stored password, "" clears it;
/// <see cref="Signatures"/> null keeps signatures as they are.
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.WebhookSettingsUpdate")]
public sealed record WebhookSettingsUpdate(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Username,
    [property: Id(3)] string? Password,
    [property: Id(4)] bool ServiceNowWrapper,
    [property: Id(5)] bool? Signatures = null);
