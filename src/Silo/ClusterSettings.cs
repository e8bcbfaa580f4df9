namespace CIOPulse.Silo;

/// <summary>The <c>Orleans</c> configuration section (SPEC §7).</summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Orleans";

    public string ClusterId { get; set; } = "ciopulse";

    public string ServiceId { get; set; } = "ciopulse-webhooks";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string? AdvertisedIPAddress { get; set; }
}
