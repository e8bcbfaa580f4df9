namespace CIOPulse.Grains.Interfaces;

/// <summary>Commercial plan; only Corporate and Enterprise may use webhooks.</summary>
[GenerateSerializer, Alias("ciopulse.AccountPlan")]
public enum AccountPlan
{
    Standard = 0,
    Corporate = 1,
    Enterprise = 2,
}
