namespace CIOPulse.Grains;

[GenerateSerializer, Alias("ciopulse.PortalKeyRingState")]
public sealed class PortalKeyRingState
{
    /// <summary>The key ring's XML elements as Data Protection stored them (their key material already encrypted).</summary>
    [Id(0)] public List<string> Elements { get; set; } = [];
}
