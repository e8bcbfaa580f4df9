namespace CIOPulse.Persistence.Postgres;

/// <summary>Where a durable cluster keeps its state: <c>ConnectionStrings:Postgres</c>.</summary>
public sealed class PostgresOptions
{
    public const string ConnectionStringName = "Postgres";

    public string ConnectionString { get; set; } = "";
}
