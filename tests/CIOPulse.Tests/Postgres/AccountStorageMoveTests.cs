using System.Net;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// Migration 0005: accounts stored by Orleans' ADO.NET grain storage (a string key as text, a key
/// that reads as a hexadecimal number as that number, a GUID-shaped key as its two halves) move to
/// grain_state under their own ids, settings intact and writable; an id that only spells the same
/// number does not inherit them.
/// </summary>
public sealed class AccountStorageMoveTests
{
    [Fact]
    public async Task Accounts_in_the_old_storage_move_under_their_own_ids()
    {
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        var settings = SiloApp.PostgresSettings(database.ConnectionString);
        var guid = Guid.NewGuid();
        var accounts = new Dictionary<string, (long N0, long N1, string? Text)>
        {
            ["legacy-co"] = (0, 0, "legacy-co"),
            ["cafe42"] = (0, 0xcafe42, null),
            [guid.ToString("N")] = (BitConverter.ToInt64(guid.ToByteArray(), 0), BitConverter.ToInt64(guid.ToByteArray(), 8), null),
        };

        // As the silo before this change stored them: a node makes the schema and the state bytes,
        // then the rows are put where Orleans' ADO.NET storage kept them and 0005 is forgotten.
        await using (var app = await SiloApp.StartAsync(settings))
        {
            var serializer = app.Services.GetRequiredService<Serializer>();
            var serviceId = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
            var hash = 1;
            foreach (var (id, key) in accounts)
            {
                var state = new AccountState { Name = "Legacy " + id, Plan = AccountPlan.Corporate, WebhooksEnabled = true, Url = $"http://127.0.0.1:9/{id}", Username = "old-" + id };
                var payload = Convert.ToHexString(serializer.SerializeToArray(state));
                await database.ExecuteAsync(
                    "INSERT INTO orleansstorage (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid, payloadbinary, version) " +
                    $"VALUES ({hash++}, {key.N0}, {key.N1}, 7, 'account', {(key.Text is null ? "NULL" : $"'{key.Text}'")}, '{serviceId}', decode('{payload}', 'hex'), 3)");
            }

            await database.ExecuteAsync("DELETE FROM schema_migrations WHERE version = '0005'");
        }

        await using (var app = await SiloApp.StartAsync(settings))
        {
            using var client = app.CreateClient();
            foreach (var id in accounts.Keys)
            {
                var moved = await client.GetJsonAsync(SettingsPath(id));
                Assert.Equal($"http://127.0.0.1:9/{id}", moved.Text("url"));
                Assert.Equal("old-" + id, moved.Text("username"));

                // Writable: the moved row's version is its ETag.
                using var saved = await client.PutSettingsAsync(id, Settings($"http://127.0.0.1:9/new/{id}"));
                await AssertStatusAsync(saved, HttpStatusCode.OK);
                Assert.Equal($"http://127.0.0.1:9/new/{id}", (await client.GetJsonAsync(SettingsPath(id))).Text("url"));
            }

            using var other = await client.GetAsync(SettingsPath("0cafe42"));
            await AssertProblemAsync(other, HttpStatusCode.NotFound);
            Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM orleansstorage WHERE graintypestring = 'account'"));
            Assert.Equal(accounts.Count, await database.ScalarAsync("SELECT count(*) FROM grain_state WHERE grain_id LIKE '7:account:account/%'"));
        }
    }
}
