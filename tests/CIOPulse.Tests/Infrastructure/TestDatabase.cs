using CIOPulse.Silo;
using Npgsql;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated PostgreSQL database on the server that <c>scripts/test.sh</c> starts (its
/// connection string comes in <c>CIOPULSE_TEST_POSTGRES</c>), dropped again on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "CIOPULSE_TEST_POSTGRES";

    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name, NpgsqlDataSource dataSource)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        DataSource = dataSource;
        ConnectionString = dataSource.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>A data source for the test's own queries (the product makes its own).</summary>
    public NpgsqlDataSource DataSource { get; }

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set: run the suite with ./scripts/test.sh, which starts PostgreSQL and sets it.");

    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var admin = AdminConnectionString;
        var name = "ciopulse_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
        if (migrate)
        {
            await SiloHost.MigrateAsync(dataSource);
        }

        return new TestDatabase(admin, name, dataSource);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
