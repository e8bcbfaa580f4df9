namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Immutable, Alias("ciopulse.Account")]
public sealed record Account(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] AccountPlan Plan);
