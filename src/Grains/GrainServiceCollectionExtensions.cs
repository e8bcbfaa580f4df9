using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>
    /// Everything a silo needs to run the grains, whatever its storage: the services below
    /// plus reminders whose minimum period follows the retry schedule (tests scale it to seconds).
    /// The caller picks the storage and reminder providers.
    /// </summary>
    public static ISiloBuilder AddWebhookDelivery(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddWebhookDelivery(configuration);
        silo.Services.AddSingleton<GrainReferences>();
        silo.Services.AddHostedService<WebhookBacklogSampler>();
        silo.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Membership, new ProcessStartClock());
        silo.AddReminders();
        // Grain calls carry the caller's trace (traceparent in the request context), so a completion's
        // trace goes on from the API's span through the grains to the webhook POST.
        silo.AddActivityPropagation();
        silo.Services.AddOptions<ReminderOptions>().Configure<IOptions<WebhookOptions>>((reminders, webhooks) =>
        {
            // The retention sweep's reminder ticks every Webhooks:RetentionSweepInterval (tests: 1 s).
            var shortest = TimeSpan.FromTicks(Math.Min(new RetrySchedule(webhooks.Value.EffectiveRetryDelays).WatchdogPeriod.Ticks, webhooks.Value.RetentionSweepInterval.Ticks));
            if (shortest < reminders.MinimumReminderPeriod)
            {
                reminders.MinimumReminderPeriod = shortest;
            }
        });
        // Every silo makes sure the sweep's reminder exists once it is up (registering it again changes nothing).
        silo.Services.AddSingleton<RetentionSweepStarter>();
        silo.AddStartupTask((services, cancellationToken) => services.GetRequiredService<RetentionSweepStarter>().Execute(cancellationToken));
        return silo;
    }

    /// <summary>
    /// Services the grains need on every silo: options, the pooled webhook HttpClient and the password
    /// protector. The storage (grain state, reminders, the log index and its atomic writes) comes from
    /// <c>UseInProcessStorage</c> or <c>UsePostgres</c>.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>()
            .Bind(configuration.GetSection(WebhookOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>>(new RetryDelaysValidator(configuration.GetSection(WebhookOptions.SectionName)));
        services.AddOptions<SecretsOptions>().Bind(configuration.GetSection(SecretsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecretsOptions>>(new SecretsOptionsValidator(configuration.GetSection(SecretsOptions.SectionName)));

        services.TryAddSingleton(TimeProvider.System);

        // One resolver for the settings check and the connect-time check; TryAdd so a host (or a
        // test without outside DNS) can bring its own.
        services.TryAddSingleton<IDestinationResolver>(DnsDestinationResolver.Instance);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SecretsOptions>>().Value.KeysNewestFirst is { Count: > 0 } keys
            ? SecretProtector.FromBase64(keys)
            : SecretProtector.CreateEphemeral());
        services.AddSingleton<DestinationLimiter>();
        services.AddSingleton<WebhookSender>();

        services.AddHttpClient(WebhookSender.HttpClientName, client =>
            {
                // Each attempt has its own timeout (Webhooks:AttemptTimeout); this one must not cut it short.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("CIOPulse-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                // The destination limiter admits at most this many, so the handler never queues a
                // request (its queue would spend the attempt's timeout before anything is sent).
                MaxConnectionsPerServer = sp.GetRequiredService<IOptions<WebhookOptions>>().Value.MaxRequestsPerDestination,
                ConnectCallback = DestinationPolicy.CreateConnectCallback(
                    sp.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateNetworks, sp.GetRequiredService<IDestinationResolver>()),
                // The POST still gets its client span, but our trace context (traceparent,
                // tracestate, baggage) is ours: it is not sent to customers' receivers.
                ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
            })
            // The handler is long-lived on purpose: SocketsHttpHandler recycles connections itself.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Attempts are logged by the delivery grain, without URLs' query strings or headers.
            .RemoveAllLoggers();

        return services;
    }
}
