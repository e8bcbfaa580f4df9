using System.Globalization;
using System.Text.RegularExpressions;
using CIOPulse.Persistence.Postgres;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CIOPulse.Tests.Postgres;

public sealed class SchemaMigratorTests : IAsyncLifetime
{
    private static readonly string[] _tables =
    [
        "orleansquery", "orleansmembershipversiontable", "orleansmembershiptable", "orleansstorage",
        "orleansreminderstable", "webhook_log", "schema_migrations",
    ];

    // The keys the Orleans 10.4.2 ADO.NET providers look up in OrleansQuery at start-up and on use.
    private static readonly string[] _orleansQueryKeys =
    [
        // Clustering
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",

        // Grain persistence
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey",

        // Reminders
        "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "ReadReminderRowKey",
        "UpsertReminderRowKey", "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    // Everything the migrations define in the public schema: relations with their columns, indexes
    // with their definitions, functions with their bodies.
    private const string SchemaFingerprint =
        """
        SELECT md5(string_agg(entry, E'\n' ORDER BY entry)) FROM (
            SELECT c.relname || ' ' || c.relkind::text || ' ' || COALESCE(string_agg(
                       a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text, ', ' ORDER BY a.attnum), '') AS entry
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE n.nspname = 'public'
             GROUP BY c.relname, c.relkind
            UNION ALL
            SELECT i.indexname || ' ' || i.indexdef FROM pg_catalog.pg_indexes i WHERE i.schemaname = 'public'
            UNION ALL
            SELECT p.oid::regprocedure::text || ' ' || md5(p.prosrc)
              FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'public'
        ) entries
        """;

    private const string QueriesFingerprint =
        "SELECT md5(string_agg(querykey || E'\\t' || querytext, E'\\n' ORDER BY querykey)) FROM orleansquery";

    private const string MigrationsFingerprint =
        "SELECT md5(string_agg(version || ' ' || name || ' ' || applied_at::text, E'\\n' ORDER BY version)) FROM schema_migrations";

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(migrate: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public void Every_embedded_migration_is_found_in_version_order()
    {
        var versions = SchemaMigrator.Migrations.Select(m => m.Version).ToList();

        Assert.Contains("0001", versions);
        Assert.Contains("0002", versions);
        Assert.Equal(versions.Order(StringComparer.Ordinal), versions);
        Assert.Equal(versions.Count, versions.Distinct(StringComparer.Ordinal).Count());
        Assert.All(SchemaMigrator.Migrations, m => Assert.False(string.IsNullOrWhiteSpace(m.Sql)));
    }

    [Fact]
    public async Task A_fresh_database_gets_every_migration_and_every_table()
    {
        Assert.Empty(await PublicTablesAsync());

        var applied = await Migrator(_database.DataSource).MigrateAsync();

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), applied);
        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), await RecordedVersionsAsync());
        var tables = await PublicTablesAsync();
        Assert.All(_tables, table => Assert.Contains(table, tables));
    }

    [Fact]
    public async Task Migrating_again_applies_nothing_and_changes_nothing()
    {
        await Migrator(_database.DataSource).MigrateAsync();
        var schemaBefore = await TextAsync(SchemaFingerprint);
        var queriesBefore = await TextAsync(QueriesFingerprint);
        var migrationsBefore = await TextAsync(MigrationsFingerprint);
        var queryRowsBefore = await _database.ScalarAsync("SELECT count(*) FROM orleansquery");

        var again = await Migrator(_database.DataSource).MigrateAsync();
        var third = await Migrator(_database.DataSource).MigrateAsync();

        Assert.Empty(again);
        Assert.Empty(third);
        Assert.Equal(schemaBefore, await TextAsync(SchemaFingerprint));
        Assert.Equal(queriesBefore, await TextAsync(QueriesFingerprint));
        Assert.Equal(migrationsBefore, await TextAsync(MigrationsFingerprint));
        Assert.Equal(queryRowsBefore, await _database.ScalarAsync("SELECT count(*) FROM orleansquery"));
        Assert.Equal(SchemaMigrator.Migrations.Count, await _database.ScalarAsync("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Three_concurrent_migrators_leave_one_schema_and_exactly_one_of_them_applies_it()
    {
        var dataSources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(_database.ConnectionString)).ToList();
        try
        {
            // Open a connection per data source first so the three start as close together as possible.
            foreach (var dataSource in dataSources)
            {
                await using var warm = await dataSource.OpenConnectionAsync();
            }

            var results = await Task.WhenAll(dataSources.Select(d => Task.Run(() => Migrator(d).MigrateAsync())));

            var appliers = results.Where(r => r.Count > 0).ToList();
            Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), Assert.Single(appliers));
            Assert.Equal(2, results.Count(r => r.Count == 0));
        }
        finally
        {
            foreach (var dataSource in dataSources)
            {
                await dataSource.DisposeAsync();
            }
        }

        Assert.Equal(SchemaMigrator.Migrations.Select(m => m.Version), await RecordedVersionsAsync());
        Assert.Equal(
            SchemaMigrator.Migrations.Count,
            await _database.ScalarAsync("SELECT count(DISTINCT version) FROM schema_migrations"));
        var tables = await PublicTablesAsync();
        Assert.All(_tables, table => Assert.Single(tables, t => t == table));

        // The result is the schema a single migrator makes.
        await using var reference = await TestDatabase.CreateAsync(migrate: false);
        await Migrator(reference.DataSource).MigrateAsync();
        Assert.Equal(await TextAsync(reference.DataSource, SchemaFingerprint), await TextAsync(SchemaFingerprint));
        Assert.Equal(await TextAsync(reference.DataSource, QueriesFingerprint), await TextAsync(QueriesFingerprint));
    }

    [Fact]
    public async Task OrleansQuery_holds_every_query_the_Orleans_providers_look_up()
    {
        await Migrator(_database.DataSource).MigrateAsync();

        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = _database.DataSource.CreateCommand("SELECT querykey, querytext FROM orleansquery"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                queries.Add(reader.GetString(0), reader.GetString(1));
            }
        }

        var missing = _orleansQueryKeys.Where(k => !queries.ContainsKey(k)).ToList();
        Assert.Empty(missing);
        Assert.All(_orleansQueryKeys, k => Assert.False(string.IsNullOrWhiteSpace(queries[k]), $"{k} has no query text."));
    }

    [Fact]
    public async Task Every_OrleansQuery_text_parses_against_the_migrated_schema()
    {
        await Migrator(_database.DataSource).MigrateAsync();
        var queries = new List<(string Key, string Text)>();
        await using (var command = _database.DataSource.CreateCommand("SELECT querykey, querytext FROM orleansquery ORDER BY querykey"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                queries.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        // PREPARE parses and analyses every statement (tables, columns, functions) without running it.
        // The providers' @Name parameters become untyped $n placeholders, as Npgsql sends them.
        var failures = new List<string>();
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        foreach (var (key, text) in queries)
        {
            var statements = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < statements.Length; i++)
            {
                var names = new List<string>();
                var sql = Regex.Replace(statements[i], "@([A-Za-z][A-Za-z0-9]*)", m =>
                {
                    var index = names.IndexOf(m.Groups[1].Value);
                    if (index < 0)
                    {
                        names.Add(m.Groups[1].Value);
                        index = names.Count - 1;
                    }

                    return "$" + (index + 1).ToString(CultureInfo.InvariantCulture);
                });
                try
                {
                    await using var prepare = new NpgsqlCommand($"PREPARE check_{i} AS {sql}", connection);
                    await prepare.ExecuteNonQueryAsync();
                    await using var deallocate = new NpgsqlCommand($"DEALLOCATE check_{i}", connection);
                    await deallocate.ExecuteNonQueryAsync();
                }
                catch (PostgresException e)
                {
                    failures.Add($"{key}: {e.MessageText}");
                }
            }
        }

        Assert.Empty(failures);
    }

    private static SchemaMigrator Migrator(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<SchemaMigrator>.Instance);

    private async Task<List<string>> PublicTablesAsync()
    {
        var tables = new List<string>();
        await using var command = _database.DataSource.CreateCommand(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private async Task<List<string>> RecordedVersionsAsync()
    {
        var versions = new List<string>();
        await using var command = _database.DataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetString(0));
        }

        return versions;
    }

    private Task<string> TextAsync(string sql) => TextAsync(_database.DataSource, sql);

    private static async Task<string> TextAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
