using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Persistence.Memory;
using CIOPulse.Persistence.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans test cluster running the real grains, with storage, reminders and the log
/// index shared by all its silos (standing in for the database), retry delays of 1 s, 2 s, 1 s, 1 s
/// and a 2 s attempt timeout.
/// </summary>
public sealed class DeliveryCluster : IAsyncDisposable
{
    public static readonly TimeSpan[] RetryDelays =
        [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)];

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);

    private readonly TestDatabase? _database;

    private DeliveryCluster(InProcessTestCluster cluster, IReminderTable reminders, TestDatabase? database)
    {
        Cluster = cluster;
        Reminders = reminders;
        _database = database;
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The reminder table the silos use, to look at from the test.</summary>
    public IReminderTable Reminders { get; }

    /// <summary>The PostgreSQL database in <see cref="StorageMode.Postgres"/>; null in memory mode.</summary>
    public TestDatabase? Database => _database;

    public IClusterClient Client => Cluster.Client;

    /// <summary>
    /// Starts <paramref name="silos"/> silos. In memory mode, storage, reminders and the log index are
    /// shared in-process stand-ins; in PostgreSQL mode the silos use the product's PostgreSQL wiring
    /// (storage, reminders and the log index on PostgreSQL) on a fresh database.
    /// </summary>
    public static async Task<DeliveryCluster> StartAsync(short silos = 1, StorageMode mode = StorageMode.Memory)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build();
        var database = mode == StorageMode.Postgres ? await TestDatabase.CreateAsync() : null;
        var reminders = new InProcessReminderTable();
        var storage = new InProcessGrainStorage();
        var log = new InMemoryWebhookLogStore(TimeProvider.System);

        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            if (database is not null)
            {
                // Each silo makes its own data source, as separate processes would. Membership stays the
                // test cluster's in-process one (this host cannot swap it); the process-based cluster
                // tests cover ADO.NET membership.
                silo.UsePostgres(PostgresDataSource.Create(database.ConnectionString), clustering: false);
            }
            else
            {
                silo.UseInProcessStorage(storage, reminders, log);
            }

            silo.AddWebhookDelivery(configuration);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var reminderTable = database is null ? (IReminderTable)reminders : cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        return new DeliveryCluster(cluster, reminderTable, database);
    }

    private static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:AttemptTimeout"] = AttemptTimeout.ToString(),
        };
        for (var i = 0; i < RetryDelays.Length; i++)
        {
            settings[$"Webhooks:RetryDelays:{i}"] = RetryDelays[i].ToString();
        }

        return settings;
    }

    /// <summary>A fresh Corporate account with webhooks on, pointed at <paramref name="url"/>.</summary>
    public async Task<string> CreateAccountAsync(string url, string? username = null, string? password = null, bool serviceNowWrapper = false)
    {
        var accountId = "a-" + Guid.NewGuid().ToString("N")[..12];
        var account = Client.GetGrain<IAccountGrain>(accountId);
        await account.Upsert("Test account", AccountPlan.Corporate);
        var result = await account.UpdateSettings(new WebhookSettingsUpdate(true, url, username, password, serviceNowWrapper));
        Assert.Equal(SettingsUpdateOutcome.Updated, result.Outcome);
        return accountId;
    }

    public async Task<string> SubmitAsync(string accountId, string responseId, int overall = 9, ListeningPost listeningPost = ListeningPost.Transactional)
    {
        var result = await Client.GetGrain<ISurveyCompletionGrain>(0).Submit(accountId, new SurveyCompletion
        {
            ResponseId = responseId,
            ResponseDatetimeUtc = new DateTime(2021, 7, 29, 7, 50, 52, DateTimeKind.Utc),
            Overall = overall,
            ListeningPost = listeningPost,
            SelectedFactors = [ExperienceFactor.Responsiveness],
            Comments = "You guys rock!",
        });
        Assert.Equal(SubmitOutcome.Accepted, result.Outcome);
        return result.WebhookId!;
    }

    public async Task<WebhookDetail> DetailAsync(string accountId, string webhookId) =>
        await Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetDetail(accountId)
        ?? throw new InvalidOperationException($"Webhook {webhookId} not found");

    /// <summary>Polls the webhook's detail until <paramref name="done"/> holds, or fails after <paramref name="timeout"/>.</summary>
    public Task<WebhookDetail> WaitForAsync(string accountId, string webhookId, Func<WebhookDetail, bool> done, TimeSpan timeout) =>
        Eventually.ReachAsync(() => DetailAsync(accountId, webhookId), done, $"webhook {webhookId} reaches the expected state", timeout, TimeSpan.FromMilliseconds(50));

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
