using CIOPulse.Grains;
using CIOPulse.Grains.Log;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace CIOPulse.Persistence.Postgres;

public static class PostgresSiloBuilderExtensions
{
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Puts a silo on PostgreSQL through one shared data source: ADO.NET membership (unless the
    /// caller brings its own), group-committing grain storage for accounts and webhook state, a
    /// group-committing reminder table, and the Webhook Log index with its pruner.
    /// The schema must have been migrated (<see cref="SchemaMigrator"/>).
    /// </summary>
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, NpgsqlDataSource dataSource, bool clustering = true)
    {
        silo.Services.AddSingleton(dataSource);

        // Webhook state, reminders and log rows are each written twice per webhook; they share one
        // group commit, so under load one transaction carries the writes of many webhooks.
        silo.Services.AddSingleton(_ => new PostgresGroupCommit(dataSource)); // disposed (drained) with the silo
        silo.Services.AddSingleton<IAtomicWrites>(sp => sp.GetRequiredService<PostgresGroupCommit>());
        silo.Services.AddSingleton<PostgresWebhookLogStore>();
        silo.Services.AddSingleton<IWebhookLogStore>(sp => sp.GetRequiredService<PostgresWebhookLogStore>());
        silo.Services.AddHostedService<WebhookLogPruner>();

        if (clustering)
        {
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = Invariant;
                options.DataSource = dataSource;
            });
        }

        // Accounts are in this project's grain storage too, keyed by the whole grain id: Orleans' ADO.NET
        // storage keeps a key that reads as a number as that number, so `cafe1` and `0cafe1` would
        // share one row (migration 0005 moved what it had stored).
        silo.Services.AddGrainStorage(StorageNames.Accounts, (sp, _) => new PostgresGrainStorage(
            sp.GetRequiredService<PostgresGroupCommit>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetRequiredService<Serializer>()));

        silo.Services.AddSingleton<IAccountCatalog>(sp => new PostgresAccountCatalog(dataSource, sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));

        silo.Services.AddGrainStorage(StorageNames.Webhooks, (sp, _) => new PostgresGrainStorage(
            sp.GetRequiredService<PostgresGroupCommit>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetRequiredService<Serializer>()));

        silo.Services.AddGrainStorage(StorageNames.BulkResends, (sp, _) => new PostgresGrainStorage(
            sp.GetRequiredService<PostgresGroupCommit>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, sp.GetRequiredService<Serializer>()));

        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(sp => new PostgresReminderTable(
            sp.GetRequiredService<PostgresGroupCommit>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        return silo;
    }
}
