namespace CIOPulse.Ceiling;

/// <summary>An account as the ceiling keeps it: in memory, the Basic credentials ready to send.</summary>
public sealed record CeilingAccount(bool Enabled, Uri? Url, string? Authorization, bool ServiceNowWrapper);
