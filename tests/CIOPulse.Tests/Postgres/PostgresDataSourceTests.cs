using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;
using Npgsql;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// The silo's data source (<see cref="PostgresDataSource"/>): no reset on connection return, hot
/// statements auto-prepared unless the connection string says otherwise, and plans made per
/// execution, as a real connection reports.
/// </summary>
public sealed class PostgresDataSourceTests
{
    [Fact]
    public void Defaults_prepare_hot_statements_and_keep_connections_without_reset()
    {
        using var dataSource = PostgresDataSource.Create("Host=db.invalid;Username=u;Database=d");
        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);

        Assert.Equal(PostgresDataSource.DefaultMaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal("-c plan_cache_mode=force_custom_plan", settings.Options);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("MaxAutoPrepare=5", 5)]
    [InlineData("max auto prepare=64", 64)]
    public void A_connection_string_that_sets_max_auto_prepare_keeps_its_value(string setting, int expected)
    {
        using var dataSource = PostgresDataSource.Create($"Host=db.invalid;Username=u;Database=d;{setting}");

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public void Options_given_in_the_connection_string_are_kept()
    {
        using var dataSource = PostgresDataSource.Create("Host=db.invalid;Username=u;Database=d;Options=-c statement_timeout=5000");

        Assert.Equal("-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan", new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Options);
    }

    [Fact]
    public async Task A_connection_from_it_plans_every_execution()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        await using var dataSource = PostgresDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand("SHOW plan_cache_mode");

        Assert.Equal("force_custom_plan", await command.ExecuteScalarAsync());
    }
}
