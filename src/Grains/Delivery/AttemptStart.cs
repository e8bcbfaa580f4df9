namespace CIOPulse.Grains.Delivery;

/// <summary>An attempt the core said may start now: its number, and whether it is a resend's.</summary>
public sealed record AttemptStart(int Number, bool Resend, DateTime StartedUtc);
