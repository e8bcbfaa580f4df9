using System.Net;
using CIOPulse.Api;
using CIOPulse.Grains;
using CIOPulse.Persistence.Memory;
using CIOPulse.Persistence.Postgres;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;

namespace CIOPulse.Silo;

/// <summary>
/// Builds the silo process: an Orleans silo with the HTTP API co-hosted. With
/// <c>ConnectionStrings:Postgres</c> it is a durable cluster member on PostgreSQL (see
/// <see cref="PostgresSiloBuilderExtensions.UsePostgres"/>; schema migrated at start-up).
/// Without it, it is the embedded single node (localhost clustering, in-process storage and
/// reminders), which says loudly that it is not durable.
/// </summary>
public static partial class SiloHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <summary>Where embedded mode keeps the system key it generated (relative to the working directory).</summary>
    public const string EmbeddedKeyFile = ".local/system-key";

    private const string GeneratedKeyFileSetting = "CIOPulse:GeneratedSystemKeyFile";

    /// <param name="args">The command line (configuration keys as <c>--Key=value</c>).</param>
    /// <param name="configureServices">
    /// Registrations made before the product's own, which add theirs with TryAdd where a host may
    /// bring its own (e.g. an <see cref="IDestinationResolver"/>); tests use it, the process does not.
    /// </param>
    /// <param name="cancellationToken">Cancels the start-up migration.</param>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (!WebhookApi.HasConfiguredEndpoints(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var cluster = ClusterSettings.Read(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString(PostgresOptions.ConnectionStringName);
        var durable = !string.IsNullOrWhiteSpace(connectionString);
        if (!durable)
        {
            EnsureEmbeddedSystemKey(builder.Configuration);
        }

        // Refused here, before anything is migrated or started, each failure naming its key; the
        // same rules run again when the host starts (ValidateOnStart).
        CheckSettings(builder.Configuration, durable ? connectionString : null);
        configureServices?.Invoke(builder.Services);
        var dashboard = DashboardSettings.Read(builder.Configuration);
        if (!durable)
        {
            // A host may hand in the store (tests restart a node on the same one); normally it is new.
            var storage = builder.Services.FirstOrDefault(service => service.ServiceType == typeof(InProcessGrainStorage))?.ImplementationInstance as InProcessGrainStorage
                ?? new InProcessGrainStorage();
            builder.UseOrleans(silo =>
            {
                ConfigureEmbedded(silo, cluster, storage, builder.Configuration);
                SiloDashboard.Add(silo, dashboard);
            });
        }
        else
        {
            var dataSource = PostgresDataSource.Create(connectionString!);
            await MigrateAsync(dataSource, cancellationToken);
            builder.UseOrleans(silo =>
            {
                ConfigureDurable(silo, cluster, dataSource, builder.Configuration);
                SiloDashboard.Add(silo, dashboard);
            });
        }

        builder.AddWebhookApi();

        var app = builder.Build();
        app.MapWebhookApi();
        SiloDashboard.Map(app, dashboard);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            app.Lifetime.ApplicationStarted.Register(() => WarnAboutEmbeddedMode(app));
        }

        return app;
    }

    /// <summary>
    /// The settings a silo cannot run without, checked at once: the system key, the encryption key
    /// (required with PostgreSQL, and base64 of 32 bytes whenever it is set) and the connection string.
    /// </summary>
    private static void CheckSettings(IConfiguration configuration, string? connectionString)
    {
        var failures = new List<string>();
        var api = configuration.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
        failures.AddRange(Failures(new DataAnnotationValidateOptions<ApiOptions>(null).Validate(null, api)));
        failures.AddRange(Failures(new DataAnnotationValidateOptions<DashboardSettings>(null).Validate(null, DashboardSettings.Read(configuration))));
        var secrets = configuration.GetSection(SecretsOptions.SectionName).Get<SecretsOptions>() ?? new SecretsOptions();
        failures.AddRange(Failures(new SecretsOptionsValidator(configuration.GetSection(SecretsOptions.SectionName)).Validate(null, secrets)));
        if (connectionString is not null)
        {
            failures.AddRange(Failures(new PostgresOptionsValidator().Validate(null, new PostgresOptions { ConnectionString = connectionString })));
            if (secrets.KeysNewestFirst.Count == 0)
            {
                failures.Add("Secrets:EncryptionKeys:0 (or Secrets:EncryptionKey) is required with ConnectionStrings:Postgres (base64 of 32 random bytes, e.g. `openssl rand -base64 32`): stored webhook passwords must stay readable after a restart.");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException("configuration", typeof(SiloHost), failures);
        }

        static IEnumerable<string> Failures(ValidateOptionsResult result) => result.Failed ? result.Failures : [];
    }

    /// <summary>Applies the schema migrations (what <c>dotnet run --project src/Silo -- migrate</c> does).</summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        await new SchemaMigrator(dataSource, loggers.CreateLogger<SchemaMigrator>()).MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// A single node for trying the service out should start with no set-up at all: without an
    /// Api:SystemKey, embedded mode makes one and keeps it in <see cref="EmbeddedKeyFile"/> (mode 600),
    /// never in a log. Durable mode always requires one.
    /// </summary>
    private static void EnsureEmbeddedSystemKey(ConfigurationManager configuration)
    {
        if (!string.IsNullOrEmpty(configuration["Api:SystemKey"]))
        {
            return;
        }

        var file = Path.GetFullPath(EmbeddedKeyFile);
        if (!File.Exists(file) || new FileInfo(file).Length == 0)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Restrict the file before the key goes in.
            File.WriteAllText(file, "");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.WriteAllText(file, Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        }

        configuration["Api:SystemKey"] = File.ReadAllText(file).Trim();
        configuration[GeneratedKeyFileSetting] = file;
    }

    private static void ConfigureEmbedded(ISiloBuilder silo, ClusterSettings cluster, InProcessGrainStorage storage, IConfiguration configuration)
    {
        silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
        silo.UseInProcessStorage(storage, new InProcessReminderTable());
        silo.AddWebhookDelivery(configuration);
    }

    private static void ConfigureDurable(ISiloBuilder silo, ClusterSettings cluster, NpgsqlDataSource dataSource, IConfiguration configuration)
    {
        silo.Configure<ClusterOptions>(options =>
        {
            options.ClusterId = cluster.ClusterId;
            options.ServiceId = cluster.ServiceId;
        });
        if (string.IsNullOrWhiteSpace(cluster.AdvertisedIPAddress))
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedIPAddress), cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }

        silo.UsePostgres(dataSource);
        silo.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [WebhookApi.ReadyTag])
            .AddCheck<GroupCommitBacklogHealthCheck>("group-commit", tags: [WebhookApi.ReadyTag]);
        silo.AddWebhookDelivery(configuration);
    }

    private static void WarnAboutEmbeddedMode(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CIOPulse.Silo");
        LogEmbeddedMode(logger, string.Join(", ", app.Urls));
        if (app.Configuration[GeneratedKeyFileSetting] is { } keyFile)
        {
            LogGeneratedSystemKey(logger, keyFile);
        }

        if ((app.Configuration.GetSection(SecretsOptions.SectionName).Get<SecretsOptions>() ?? new SecretsOptions()).KeysNewestFirst.Count == 0)
        {
            LogEphemeralSecretsKey(logger);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "EMBEDDED MODE, NOT DURABLE: no ConnectionStrings:Postgres is set, so accounts, webhooks and reminders live in this process's memory and are lost when it stops. API listening on {Urls}.")]
    private static partial void LogEmbeddedMode(ILogger logger, string urls);

    // Part of the embedded mode the warning above names: information, so that a healthy start warns once.
    [LoggerMessage(Level = LogLevel.Information, Message = "No Api:SystemKey is set: the system API key is in {KeyFile} (export KEY=$(cat {KeyFile})).")]
    private static partial void LogGeneratedSystemKey(ILogger logger, string keyFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Secrets:EncryptionKeys (or Secrets:EncryptionKey) is set: webhook passwords are encrypted with a key that lives only as long as this process (as does everything else in embedded mode).")]
    private static partial void LogEphemeralSecretsKey(ILogger logger);
}
