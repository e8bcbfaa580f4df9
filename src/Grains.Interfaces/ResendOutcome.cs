namespace CIOPulse.Grains.Interfaces;

/// <summary>What became of a request to resend a webhook.</summary>
[GenerateSerializer, Alias("ciopulse.ResendOutcome")]
public enum ResendOutcome
{
    /// <summary>Stored as a request; the attempt starts now.</summary>
    Accepted = 0,

    /// <summary>No such webhook in the account's log.</summary>
    NotFound = 1,

    /// <summary>Its payload was removed after the retention: there is nothing to send.</summary>
    Expired = 2,
}
