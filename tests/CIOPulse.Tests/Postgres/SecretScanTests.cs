using System.Net;
using System.Security.Cryptography;
using System.Text;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Postgres;

/// <summary>
/// SPEC §3: the password is never in plain text in the database or the logs, and neither are the
/// API keys or the webhook signing secrets (issue 14). A whole scenario runs on PostgreSQL with everything logged from Debug up; then every
/// row of every table (as text; bytea as its hex) and every log entry are searched for the secrets.
/// </summary>
public sealed class SecretScanTests
{
    [Fact]
    public async Task No_password_authorization_value_api_key_or_signing_secret_is_in_any_table_row_or_log_entry()
    {
        var systemKey = "sys-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        const string username = "scan-user";
        var password = "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var responseId = NewResponseId();
        var logs = new CapturingLoggerProvider();
        await using var database = await TestDatabase.CreateAsync(migrate: false);
        await using var receiver = await TestReceiver.StartAsync();
        var settings = SiloApp.PostgresSettings(database.ConnectionString);
        settings["Api:SystemKey"] = systemKey;
        settings["Logging:LogLevel:Default"] = "Debug";

        string accountKey;
        string accountId;
        var signingSecrets = new List<string>();
        await using (var node = await SiloApp.StartAsync(settings, services: services => services.AddSingleton<ILoggerProvider>(logs)))
        {
            using var system = node.CreateClient(systemKey);
            accountId = NewAccountId();
            using (var created = await system.PutAccountAsync(accountId, new() { ["name"] = "Scan", ["plan"] = "Corporate" }))
            {
                await AssertStatusAsync(created, HttpStatusCode.OK);
            }

            using (var issued = await system.PostAsync(KeysPath(accountId), content: null))
            {
                await AssertStatusAsync(issued, HttpStatusCode.Created);
                accountKey = (await ReadJsonAsync(issued)).Text("key");
            }

            // The first attempt fails (500), the retry succeeds, a resend succeeds again.
            var path = ReceiverPathFor(accountId);
            var url = receiver.UrlFor(path, attempt => attempt == 1 ? new ReceiverResponse(500, "try again") : ReceiverResponse.Ok);
            using var account = node.CreateClient(accountKey);

            // Signed webhooks, with a rotation: two signing secrets sign every attempt.
            for (var i = 0; i < 2; i++)
            {
                using var made = await account.PostAsync(SigningSecretPath(accountId), content: null);
                await AssertStatusAsync(made, i == 0 ? HttpStatusCode.Created : HttpStatusCode.OK);
                signingSecrets.Add((await ReadJsonAsync(made)).Text("secret"));
            }

            var signedSettings = Settings(url, username, password);
            signedSettings["signatures"] = true;
            using (var stored = await account.PutSettingsAsync(accountId, signedSettings))
            {
                await AssertStatusAsync(stored, HttpStatusCode.OK);
            }

            string webhookId;
            using (var posted = await system.PostCompletionAsync(accountId, Completion(responseId)))
            {
                await AssertStatusAsync(posted, HttpStatusCode.Accepted);
                webhookId = (await ReadJsonAsync(posted)).Text("webhookId");
            }

            await account.WaitForStatusAsync(accountId, webhookId, "Succeeded");
            using (var resent = await account.PostAsync(ResendPath(accountId, webhookId), content: null))
            {
                await AssertStatusAsync(resent, HttpStatusCode.Accepted);
            }

            var entry = await account.WaitForEntryAsync(accountId, webhookId, e => e.GetProperty("attemptHistory").GetArrayLength() == 3);
            Assert.Equal(500, entry.GetProperty("attemptHistory")[0].GetProperty("responseCode").GetInt32());
            var requests = receiver.RequestsTo(path);
            Assert.Equal(3, requests.Count);
            Assert.All(requests, request => Assert.Equal(BasicAuthorization(username, password), request.Authorization));
            Assert.All(requests, request => Assert.Equal(2, request.Headers["webhook-signature"].Split(' ').Length));

            // Wrong keys are logged as failures, if at all, without the key.
            using (var wrong = node.CreateClient(UnissuedKeyFor(accountId)))
            using (var refused = await wrong.GetAsync(SettingsPath(accountId)))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            // The portal: an administrator's session and an operator's.
            using (var browser = PortalHttp.CreateClient(node.BaseUri))
            {
                await PortalHttp.SignInAsync(browser, accountKey);
                Assert.True(await PortalHttp.HasSessionAsync(browser));
                var page = await browser.GetStringAsync("/portal/settings");
                Assert.DoesNotContain(password, page, StringComparison.Ordinal);
                Assert.All(signingSecrets, secret => Assert.DoesNotContain(secret, page, StringComparison.Ordinal));
            }

            using (var operatorBrowser = PortalHttp.CreateClient(node.BaseUri))
            {
                await PortalHttp.SignInAsync(operatorBrowser, systemKey, accountId);
                Assert.True(await PortalHttp.HasSessionAsync(operatorBrowser));
            }
        }

        var secrets = new Dictionary<string, string>
        {
            ["the webhook password"] = password,
            ["the Basic authorization value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")),
            ["the account key"] = accountKey,
            ["the system key"] = systemKey,
        };
        for (var i = 0; i < signingSecrets.Count; i++)
        {
            secrets[$"signing secret {i + 1}"] = signingSecrets[i];
            secrets[$"signing secret {i + 1}'s key (base64)"] = signingSecrets[i]["whsec_".Length..];
        }

        var (tables, rows) = await ReadEveryRowAsync(database.DataSource);
        Assert.Superset(new HashSet<string> { "public.orleansstorage", "public.grain_state", "public.webhook_log", "public.orleansreminderstable", "public.webhook_attempts_hourly" }, tables);
        Assert.Superset(new HashSet<string> { "public.grain_state", "public.webhook_log" }, rows.Select(row => row.Table).ToHashSet());

        // The scan can see into binary state: the webhook's Response_ID is there, in the grain state's bytes.
        Assert.Contains(rows, row => row.Table == "public.grain_state" && Holds(row.Text, responseId));
        Assert.Contains(rows, row => row.Table == "public.grain_state" && Holds(row.Text, "Scan")); // the account's name
        Assert.Contains(logs.Entries, entry => entry.Level == LogLevel.Debug);

        foreach (var (what, secret) in secrets)
        {
            var inRows = rows.Where(row => Holds(row.Text, secret)).Select(row => row.Table).Distinct().ToList();
            Assert.True(inRows.Count == 0, $"{what} is stored in {string.Join(", ", inRows)}");
            var inLogs = logs.Entries.Where(entry => entry.Text.Contains(secret, StringComparison.Ordinal)).Select(entry => entry.Category).Distinct().ToList();
            Assert.True(inLogs.Count == 0, $"{what} is logged by {string.Join(", ", inLogs)}");
        }
    }

    /// <summary>True when <paramref name="text"/> (a row as text) holds <paramref name="secret"/> as text, or as the hex of its UTF-8 bytes (how a bytea column reads).</summary>
    private static bool Holds(string text, string secret) =>
        text.Contains(secret, StringComparison.Ordinal)
        || text.Contains(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret)), StringComparison.Ordinal);

    /// <summary>Every row of every table in the database (schemas other than PostgreSQL's own), each cast to text.</summary>
    private static async Task<(HashSet<string> Tables, List<(string Table, string Text)> Rows)> ReadEveryRowAsync(NpgsqlDataSource dataSource)
    {
        var tables = new List<(string Schema, string Name)>();
        await using (var list = dataSource.CreateCommand(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var rows = new List<(string, string)>();
        foreach (var (schema, name) in tables)
        {
            await using var select = dataSource.CreateCommand($"SELECT t::text FROM \"{schema}\".\"{name}\" t");
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(($"{schema}.{name}", reader.GetString(0)));
            }
        }

        return ([.. tables.Select(table => $"{table.Schema}.{table.Name}")], rows);
    }
}
