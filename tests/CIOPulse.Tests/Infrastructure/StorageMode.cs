namespace CIOPulse.Tests.Infrastructure;

/// <summary>Which storage a test system runs on: the embedded in-memory kind, or PostgreSQL.</summary>
public enum StorageMode
{
    Memory,
    Postgres,
}
