namespace CIOPulse.Grains.Interfaces;

[GenerateSerializer, Alias("ciopulse.AcceptOutcome")]
public enum AcceptOutcome
{
    /// <summary>New: state persisted and reminder registered.</summary>
    Accepted = 0,

    /// <summary>This grain already holds the same trigger (account, listening post, response).</summary>
    AlreadyAccepted = 1,

    /// <summary>This Webhook_ID is taken by a different trigger; the caller must derive another id.</summary>
    IdTaken = 2,
}
