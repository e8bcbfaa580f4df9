using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains.Delivery;

/// <summary>What happened, for the metrics and the logs: an acceptance, an attempt, a final status.</summary>
public sealed record DeliveryFacts(bool Accepted = false, AttemptFacts? Attempt = null, WebhookStatus? FinishedAs = null)
{
    public static readonly DeliveryFacts None = new();
}

/// <summary>One finished attempt.</summary>
public sealed record AttemptFacts(int Number, bool Resend, AttemptOutcome Outcome, TimeSpan Duration);
