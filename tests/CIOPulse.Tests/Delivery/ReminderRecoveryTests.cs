using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Delivery;

/// <summary>
/// The reminder, not a timer or a live activation, carries a webhook from one attempt to the next:
/// deactivated grains are woken by it, and a killed silo's webhooks are continued by a survivor.
/// </summary>
public sealed class ReminderRecoveryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_deactivated_grain_is_woken_by_its_reminder_and_continues_the_schedule()
    {
        await using var receiver = await TestReceiver.StartAsync();
        await using var cluster = await DeliveryCluster.StartAsync();
        var path = "/hook/deactivated";
        var account = await cluster.CreateAccountAsync(receiver.UrlFor(path, n => n <= 2 ? ReceiverResponse.Fail() : ReceiverResponse.Ok));
        var webhookId = await cluster.SubmitAsync(account, "r-1");
        var grainId = cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetGrainId();
        await receiver.WaitForRequestsAsync(path, 1, Generous);

        // Right after the first failure: collect every activation, then check this one is gone.
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await WaitUntilAsync(() => !cluster.Cluster.TryGetGrainContext(grainId, out _), TimeSpan.FromSeconds(10));
        Assert.NotNull(await cluster.Reminders.ReadRow(grainId, CIOPulse.Grains.WebhookDeliveryGrain.ReminderName));

        var received = await receiver.WaitForRequestsAsync(path, 3, Generous);
        Assert.Equal(3, received.Count);
        var detail = await cluster.WaitForAsync(account, webhookId, d => d.Item.Status == WebhookStatus.Succeeded, Generous);
        Assert.Equal(3, detail.Item.Attempts);
    }

    [Fact]
    public async Task Killing_the_silo_that_holds_webhooks_mid_attempt_delays_them_but_loses_none()
    {
        const int count = 12;
        await using var receiver = await TestReceiver.StartAsync();
        await using var cluster = await DeliveryCluster.StartAsync(silos: 2);
        var path = "/hook/always-failing";

        // The first attempt of every webhook hangs for a while, so the kill lands mid-attempt.
        var account = await cluster.CreateAccountAsync(receiver.UrlFor(path, n => n <= count ? new ReceiverResponse(500, "slow", TimeSpan.FromSeconds(1.5)) : ReceiverResponse.Fail()));
        var webhooks = new List<string>();
        for (var i = 0; i < count; i++)
        {
            webhooks.Add(await cluster.SubmitAsync(account, $"r-{i}"));
        }

        await receiver.WaitForRequestsAsync(path, count, Generous);
        var hosts = webhooks.Select(id => HostOf(cluster, id)).ToList();
        var victim = cluster.Cluster.Silos.OrderByDescending(s => hosts.Count(h => h == s.SiloAddress)).First();
        var killedWebhooks = webhooks.Where((_, i) => hosts[i] == victim.SiloAddress).ToList();
        Assert.NotEmpty(killedWebhooks);
        await cluster.Cluster.KillSiloAsync(victim);

        var finished = new List<WebhookDetail>();
        foreach (var id in webhooks)
        {
            finished.Add(await cluster.WaitForAsync(account, id, d => d.Item.Status == WebhookStatus.Failed, Generous));
        }

        // Every webhook ran its whole schedule: five recorded attempts, none lost with the silo.
        Assert.All(finished, d => Assert.Equal(5, d.Item.Attempts));
        foreach (var id in webhooks)
        {
            // At least once: the POST in flight at the kill is made again (one repeat at most).
            var posts = receiver.RequestsFor(id).Count;
            Assert.InRange(posts, 5, killedWebhooks.Contains(id) ? 6 : 5);
        }
    }

    private static SiloAddress? HostOf(DeliveryCluster cluster, string webhookId) =>
        cluster.Cluster.TryGetGrainContext(cluster.Client.GetGrain<IWebhookDeliveryGrain>(webhookId).GetGrainId(), out var context)
            ? context!.Address.SiloAddress
            : null;

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout) =>
        Eventually.HoldsAsync(condition, "the grain moves as expected", timeout, TimeSpan.FromMilliseconds(50));
}
