namespace CIOPulse.Grains;

/// <summary>Names of the grain storage providers the silo must register.</summary>
public static class StorageNames
{
    public const string Accounts = "accounts";
    public const string Webhooks = "webhooks";

    /// <summary>Bulk resend operations, their id chunks and each account's running one.</summary>
    public const string BulkResends = "bulk-resends";
}
