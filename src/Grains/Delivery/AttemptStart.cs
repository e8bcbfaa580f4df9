namespace CIOPulse.Grains.Delivery;

/// <summary>
/// An attempt the core said may start now: its number, whether it is a resend's, and the bulk resend
/// operation it is made for (the oldest waiting one), if any.
/// </summary>
public sealed record AttemptStart(int Number, bool Resend, DateTime StartedUtc, string? BulkResendId = null);
