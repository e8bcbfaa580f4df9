using CIOPulse.Silo;
using Npgsql;

if (args is ["migrate", ..])
{
    // Apply the PostgreSQL schema and exit (silos also do this at start-up).
    var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args[1..]).Build();
    var connectionString = configuration.GetConnectionString("Postgres")
        ?? throw new InvalidOperationException("migrate needs ConnectionStrings:Postgres (e.g. ConnectionStrings__Postgres=...).");
    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    await SiloHost.MigrateAsync(dataSource);
    return;
}

var app = await SiloHost.BuildAsync(args);
await app.RunAsync();
