namespace CIOPulse.Grains.Interfaces;

/// <summary>The kind of survey a completion came from.</summary>
[GenerateSerializer, Alias("ciopulse.ListeningPost")]
public enum ListeningPost
{
    Transactional = 0,
    Relationship = 1,
}
