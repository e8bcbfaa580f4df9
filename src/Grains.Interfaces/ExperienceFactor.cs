namespace CIOPulse.Grains.Interfaces;

/// <summary>The eight experience factors of survey question 2, in payload order.</summary>
[GenerateSerializer, Alias("ciopulse.ExperienceFactor")]
public enum ExperienceFactor
{
    Responsiveness = 0,
    Interpersonal = 1,
    Knowledge = 2,
    Communication = 3,
    Speed = 4,
    Confirmation = 5,
    Effort = 6,
    Other = 7,
}
