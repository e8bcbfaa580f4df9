namespace CIOPulse.Grains.Interfaces;

/// <summary>How a webhook's attempt for a bulk resend operation ended.</summary>
[GenerateSerializer, Alias("ciopulse.BulkResendAttemptOutcome")]
public enum BulkResendAttemptOutcome
{
    /// <summary>No such webhook for the account: nothing was sent.</summary>
    NotFound = 0,
    Succeeded = 1,
    Failed = 2,

    /// <summary>The retention removed the webhook's payload (after it was chosen): nothing was sent.</summary>
    Expired = 3,
}
