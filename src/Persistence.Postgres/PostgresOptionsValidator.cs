using Microsoft.Extensions.Options;
using Npgsql;

namespace CIOPulse.Persistence.Postgres;

/// <summary>The connection string must be one Npgsql can read, and name a host.</summary>
public sealed class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresOptions options)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            return string.IsNullOrWhiteSpace(builder.Host)
                ? ValidateOptionsResult.Fail("ConnectionStrings:Postgres names no Host (e.g. Host=db;Username=ciopulse;Password=…;Database=ciopulse).")
                : ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return ValidateOptionsResult.Fail($"ConnectionStrings:Postgres is not a valid connection string: {e.Message}");
        }
    }
}
