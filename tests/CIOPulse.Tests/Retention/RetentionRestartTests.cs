using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Retention;

/// <summary>
/// The sweep is kept alive by an Orleans reminder stored in PostgreSQL: webhooks delivered by a silo
/// process that then stops expire once a new silo process runs on the same database.
/// </summary>
public sealed class RetentionRestartTests
{
    [Fact]
    public async Task Webhooks_delivered_before_a_restart_expire_after_it()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var receiver = await TestReceiver.StartAsync();
        var settings = new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SiloApp.SystemKey,
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Orleans:ClusterId"] = "retention-" + Guid.NewGuid().ToString("N")[..8],
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:RetryDelays:0"] = "00:00:01",
            ["Webhooks:RetentionDays"] = "0.0000926", // 8 s: none can expire before the first silo stops
            ["Webhooks:RetentionSweepInterval"] = "00:00:01",
        };

        var accountId = NewAccountId();
        var webhookIds = new List<string>();
        await using (var first = await SiloProcess.StartAsync("retention-before", settings))
        {
            using var client = first.CreateClient();
            await AssertStatusAsync(await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Retention", ["plan"] = "Corporate" }), HttpStatusCode.OK);
            await AssertStatusAsync(await client.PutSettingsAsync(accountId, Settings(receiver.UrlFor(ReceiverPathFor(accountId)))), HttpStatusCode.OK);
            for (var i = 0; i < 3; i++)
            {
                using var posted = await client.PostCompletionAsync(accountId, Completion(NewResponseId()));
                await AssertStatusAsync(posted, HttpStatusCode.Accepted);
                webhookIds.Add((await ReadJsonAsync(posted)).Text("webhookId"));
            }

            foreach (var id in webhookIds)
            {
                var delivered = await client.WaitForStatusAsync(accountId, id, "Succeeded");
                Assert.False(delivered.GetProperty("expired").GetBoolean());
            }

            Assert.Equal(1, await database.ScalarAsync("SELECT count(*) FROM orleansreminderstable WHERE remindername = 'retention-sweep'"));
            await first.StopAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL AND expired"));

        await using var second = await SiloProcess.StartAsync("retention-after", settings);
        using var after = second.CreateClient();
        foreach (var id in webhookIds)
        {
            var expired = await Eventually.ReachAsync(
                () => after.GetJsonAsync(EntryPath(accountId, id)), e => e.GetProperty("expired").GetBoolean(), $"webhook {id} expires after the restart", TimeSpan.FromSeconds(30));
            Assert.Equal(JsonValueKind.Null, expired.GetProperty("payload").ValueKind);
        }

        Assert.Equal(3, await database.ScalarAsync("SELECT count(*) FROM webhook_log WHERE replaced_xid IS NULL AND expired"));
    }
}
