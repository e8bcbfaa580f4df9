using CIOPulse.Grains.Interfaces;

namespace CIOPulse.HangfireBaseline;

/// <summary>What one delivery attempt reads: the webhook and its account's settings as they are now.</summary>
public sealed record PendingDelivery(string AccountId, string Payload, WebhookStatus Status, DeliveryTarget Target);
