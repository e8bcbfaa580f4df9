namespace CIOPulse.Grains.Interfaces;

/// <summary>What a webhook did when the retention sweep asked it to expire.</summary>
[GenerateSerializer, Alias("ciopulse.ExpireOutcome")]
public enum ExpireOutcome
{
    /// <summary>Its payload and response bodies were removed now.</summary>
    Expired = 0,

    /// <summary>Removed by an earlier sweep.</summary>
    AlreadyExpired = 1,

    /// <summary>Kept: not finished, a resend waiting, or active since the cut-off.</summary>
    Kept = 2,

    /// <summary>No stored state (a log row without its webhook).</summary>
    NotFound = 3,
}
