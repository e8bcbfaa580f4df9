using CIOPulse.Silo;
using Npgsql;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated PostgreSQL database on the server that <c>scripts/test.sh</c> starts (its
/// connection string comes in <c>CIOPULSE_TEST_POSTGRES</c>) or, under a plain <c>dotnet test</c>,
/// on a private server of the test run; dropped again on dispose.
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

    // Without CIOPULSE_TEST_POSTGRES (a plain `dotnet test`), one private server for the whole test
    // run, started on first use and stopped when the test process exits.
    private static readonly Lazy<string> PrivateServer = new(() =>
    {
        var server = PrivatePostgres.StartAsync().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        return server.ConnectionString;
    });

    /// <summary>The server's admin connection: scripts/test.sh's (<c>CIOPULSE_TEST_POSTGRES</c>), or a private one.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : PrivateServer.Value;

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

    /// <summary>Waits until some statement of this database waits for a lock (a test holds one).</summary>
    public Task WaitUntilAStatementWaitsForALockAsync() =>
        Eventually.HoldsAsync(
            async () => await ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0,
            "a statement waits for the lock the test holds",
            TimeSpan.FromSeconds(15),
            TimeSpan.FromMilliseconds(10));

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
