using CIOPulse.Grains;
using CIOPulse.Grains.Log;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace CIOPulse.Persistence.Memory;

public static class InProcessSiloBuilderExtensions
{
    /// <summary>
    /// Grain storage (both stores), reminders and the Webhook Log index in this process's memory: not
    /// durable. Silos of one test cluster share them by being given the same instances.
    /// </summary>
    public static ISiloBuilder UseInProcessStorage(this ISiloBuilder silo, InProcessGrainStorage storage, InProcessReminderTable reminders, InMemoryWebhookLogStore? log = null)
    {
        foreach (var name in (string[])[StorageNames.Accounts, StorageNames.Webhooks, StorageNames.BulkResends])
        {
            silo.Services.AddGrainStorage(name, (sp, _) => storage.ViewFor(sp.GetRequiredService<Serializer>()));
        }

        silo.Services.AddSingleton<IAccountCatalog>(new InProcessAccountCatalog(storage));
        silo.Services.AddSingleton<IReminderTable>(reminders);
        if (log is null)
        {
            silo.Services.AddSingleton<IWebhookLogStore, InMemoryWebhookLogStore>();
        }
        else
        {
            silo.Services.AddSingleton<IWebhookLogStore>(log);
        }

        silo.Services.AddSingleton<IAtomicWrites>(ImmediateWrites.Instance);
        return silo;
    }
}
