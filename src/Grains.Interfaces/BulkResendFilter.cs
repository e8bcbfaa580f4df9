namespace CIOPulse.Grains.Interfaces;

/// <summary>
/// Which of an account's webhooks a bulk resend takes: those whose last activity is in
/// [<see cref="LastActivityFromUtc"/>, <see cref="LastActivityUntilUtc"/>) (at most 14 days), and
/// optionally of a status, a listening post and a last response code (0: no HTTP answer).
/// </summary>
[GenerateSerializer, Immutable, Alias("ciopulse.BulkResendFilter")]
public sealed record BulkResendFilter(
    [property: Id(0)] WebhookStatus? Status,
    [property: Id(1)] ListeningPost? ListeningPost,
    [property: Id(2)] DateTime LastActivityFromUtc,
    [property: Id(3)] DateTime LastActivityUntilUtc,
    [property: Id(4)] int? LastResponseCode)
{
    /// <summary>The widest window a bulk resend may cover.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(14);

    /// <summary>The <see cref="LastResponseCode"/> for webhooks whose last attempt got no HTTP answer.</summary>
    public const int NoResponse = 0;
}
