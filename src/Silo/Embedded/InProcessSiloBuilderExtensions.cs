using CIOPulse.Grains;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace CIOPulse.Silo.Embedded;

public static class InProcessSiloBuilderExtensions
{
    /// <summary>Grain storage (both stores) and reminders in this process's memory: not durable.</summary>
    public static ISiloBuilder UseInProcessStorage(this ISiloBuilder silo, InProcessGrainStorage storage, InProcessReminderTable reminders)
    {
        foreach (var name in (string[])[StorageNames.Accounts, StorageNames.Webhooks])
        {
            silo.Services.AddGrainStorage(name, (sp, _) => storage.ViewFor(sp.GetRequiredService<Serializer>()));
        }

        silo.Services.AddSingleton<IReminderTable>(reminders);
        return silo;
    }
}
