using System.Net;
using System.Security.Cryptography;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using CIOPulse.Persistence.Memory;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Rotating <c>Secrets</c> keys on a real node, restarted on the same storage: a password stored
/// under key A still authenticates deliveries after a restart with [B, A]; the re-encrypt pass moves
/// it (and the portal's key ring) to B; after a restart with B alone, deliveries still authenticate
/// and a portal session opened before still holds.
/// </summary>
public abstract class KeyRotationTests(KeyRotationFixture fixture)
{
    private static readonly string _keyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string _keyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_password_stored_under_the_old_key_authenticates_through_rotation_re_encryption_and_removal_of_the_old_key()
    {
        const string username = "rotating-user";
        var password = "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var expected = BasicAuthorization(username, password);
        var accountId = NewAccountId();
        var path = ReceiverPathFor(accountId);
        var portal = new CookieContainer();
        var keyIdB = SecretProtector.KeyIdOf(Convert.FromBase64String(_keyB));
        await using var store = await fixture.NewStoreAsync();

        // Key A, as the single Secrets:EncryptionKey of a deployment from before rotation.
        string accountKey;
        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKey"] = _keyA }))
        {
            await node.CreateAccountAsync(accountId: accountId);
            accountKey = await node.IssueKeyAsync(accountId);
            await node.CreateAccountAsync(accountId: accountId + "-nopw");
            await node.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path), username, password));
            await DeliverAsync(node, accountId, path, 1, expected);

            // The portal's key ring gets its first key, encrypted under A.
            using var browser = PortalHttp.CreateClient(node.BaseUri, portal);
            await PortalHttp.SignInAsync(browser, accountKey);
        }

        // B first, A still listed: A's password decrypts; then everything moves to B.
        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB, ["Secrets:EncryptionKeys:1"] = _keyA }))
        {
            await DeliverAsync(node, accountId, path, 2, expected);
            using (var browser = PortalHttp.CreateClient(node.BaseUri, portal))
            {
                Assert.True(await PortalHttp.HasSessionAsync(browser), "the portal session opened under key A holds under [B, A]");
            }

            using var client = node.CreateClient();
            var report = await ReEncryptAsync(client);
            Assert.Equal(keyIdB, report.Text("keyId"));
            Assert.Equal(2, report.GetProperty("accounts").GetInt32());
            Assert.Equal(1, report.GetProperty("reEncrypted").GetInt32());
            Assert.Equal(0, report.GetProperty("alreadyCurrent").GetInt32());
            Assert.Equal(1, report.GetProperty("withoutPassword").GetInt32());
            Assert.Equal(0, report.GetProperty("undecryptable").GetArrayLength());
            Assert.True(report.GetProperty("portalKeys").GetProperty("reEncrypted").GetInt32() >= 1, $"the portal key ring was re-encrypted: {report}");
            Assert.Equal(0, report.GetProperty("portalKeys").GetProperty("undecryptable").GetInt32());

            var again = await ReEncryptAsync(client);
            Assert.Equal(0, again.GetProperty("reEncrypted").GetInt32());
            Assert.Equal(1, again.GetProperty("alreadyCurrent").GetInt32());
            Assert.Equal(0, again.GetProperty("portalKeys").GetProperty("reEncrypted").GetInt32());
        }

        // A removed.
        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB }))
        {
            await DeliverAsync(node, accountId, path, 3, expected);
            using var client = node.CreateClient(accountKey);
            Assert.True((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("hasPassword").GetBoolean());
            using var browser = PortalHttp.CreateClient(node.BaseUri, portal);
            Assert.True(await PortalHttp.HasSessionAsync(browser), "the portal session opened under key A holds once A is gone");
        }
    }

    [Fact]
    public async Task The_re_encrypt_pass_reaches_every_stored_account_whatever_its_id_looks_like()
    {
        // Orleans' ADO.NET storage keeps ids that read as hex numbers or GUIDs as numbers, not text.
        var ids = new[]
        {
            NewAccountId(),
            "a" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5)),
            "9" + string.Concat(Enumerable.Range(0, 9).Select(_ => RandomNumberGenerator.GetInt32(10))),
            "f" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(7))[1..] + "0",
            Guid.NewGuid().ToString("N"),
        };
        await using var store = await fixture.NewStoreAsync();
        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKey"] = _keyA }))
        {
            foreach (var id in ids)
            {
                await node.CreateAccountAsync(accountId: id);
                await node.SetSettingsAsync(id, Settings(fixture.Receiver.UrlFor(ReceiverPathFor(id)), "u", "p-" + id));
            }
        }

        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB, ["Secrets:EncryptionKeys:1"] = _keyA }))
        {
            using var client = node.CreateClient();
            var report = await ReEncryptAsync(client);

            Assert.Equal(ids.Length, report.GetProperty("accounts").GetInt32());
            Assert.Equal(ids.Length, report.GetProperty("reEncrypted").GetInt32());
            Assert.Equal(0, report.GetProperty("undecryptable").GetArrayLength());
            var grains = node.Services.GetRequiredService<IGrainFactory>();
            foreach (var id in ids)
            {
                // Had the pass missed the account, its password would still be under A and be re-encrypted now.
                Assert.Equal(SecretReEncryption.AlreadyCurrent, await grains.GetGrain<IAccountGrain>(id).ReEncryptPassword());
            }
        }
    }

    [Fact]
    public async Task Signing_secrets_made_under_the_old_key_are_re_encrypted_and_still_sign_once_it_is_removed()
    {
        var accountId = NewAccountId();
        var path = ReceiverPathFor(accountId);
        var secrets = new List<string>();
        await using var store = await fixture.NewStoreAsync();

        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKey"] = _keyA }))
        {
            await node.CreateAccountAsync(accountId: accountId);
            using var client = node.CreateClient();
            for (var i = 0; i < 2; i++)
            {
                // The first secret and a rotation: both sign (the overlap is 24 hours).
                using var made = await client.PostAsync(SigningSecretPath(accountId), content: null);
                await AssertStatusAsync(made, i == 0 ? HttpStatusCode.Created : HttpStatusCode.OK);
                secrets.Add((await ReadJsonAsync(made)).Text("secret"));
            }

            var settings = Settings(fixture.Receiver.UrlFor(path));
            settings["signatures"] = true;
            await node.SetSettingsAsync(accountId, settings);
        }

        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB, ["Secrets:EncryptionKeys:1"] = _keyA }))
        {
            using var client = node.CreateClient();
            var report = await ReEncryptAsync(client);
            var signing = report.GetProperty("signingSecrets");
            Assert.Equal(1, signing.GetProperty("reEncrypted").GetInt32());
            Assert.Equal(0, signing.GetProperty("undecryptable").GetArrayLength());
            var again = (await ReEncryptAsync(client)).GetProperty("signingSecrets");
            Assert.Equal(0, again.GetProperty("reEncrypted").GetInt32());
            Assert.Equal(1, again.GetProperty("alreadyCurrent").GetInt32());
        }

        await using (var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB }))
        {
            await node.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
            var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
            Assert.Equal(2, received.Headers["webhook-signature"].Split(' ').Length);
            Assert.All(secrets, secret => Assert.True(StandardWebhooksVerifier.Verify(secret, received.Headers, received.Body), "a signing secret signs after key A is gone"));
        }
    }

    [Fact]
    public async Task The_re_encrypt_pass_is_for_the_system_key_only()
    {
        await using var store = await fixture.NewStoreAsync();
        await using var node = await store.StartNodeAsync(new() { ["Secrets:EncryptionKeys:0"] = _keyB });
        var accountId = await node.CreateAccountAsync();
        var accountKey = await node.IssueKeyAsync(accountId);

        using (var anonymous = node.CreateClient(apiKey: null))
        using (var response = await anonymous.PostAsync("api/v1/admin/secrets/re-encrypt", content: null))
        {
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using var account = node.CreateClient(accountKey);
        using var forbidden = await account.PostAsync("api/v1/admin/secrets/re-encrypt", content: null);
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden);
    }

    private async Task DeliverAsync(SiloApp node, string accountId, string path, int requests, string expectedAuthorization)
    {
        await node.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var received = await fixture.Receiver.WaitForRequestsAsync(path, requests, Deadline);
        Assert.Equal(expectedAuthorization, received[requests - 1].Authorization);
    }

    private static async Task<System.Text.Json.JsonElement> ReEncryptAsync(HttpClient client)
    {
        using var response = await client.PostAsync("api/v1/admin/secrets/re-encrypt", content: null);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return await ReadJsonAsync(response);
    }
}

/// <summary>A receiver, and fresh storage for each test (in memory, or a PostgreSQL database) that nodes are started and restarted on.</summary>
public abstract class KeyRotationFixture(StorageMode mode) : StorageModeFixture(mode)
{
    /// <summary>New, empty storage in this fixture's mode.</summary>
    public async Task<NodeStore> NewStoreAsync() =>
        new(Mode == StorageMode.Postgres ? await TestDatabase.CreateAsync(migrate: false) : null);

    protected override Task StartAsync() => Task.CompletedTask;

    protected override Task StopAsync() => Task.CompletedTask;
}

/// <summary>One storage that nodes are started on with the <c>Secrets</c> settings a test gives: a database, or an in-process store.</summary>
public sealed class NodeStore(TestDatabase? database) : IAsyncDisposable
{
    private readonly InProcessGrainStorage _memory = new();

    /// <summary>Starts a node on this storage with exactly the <c>Secrets</c> settings given.</summary>
    public Task<SiloApp> StartNodeAsync(Dictionary<string, string> secrets)
    {
        var settings = database is null ? [] : SiloApp.PostgresSettings(database.ConnectionString);
        settings.Remove("Secrets:EncryptionKey");
        foreach (var (key, value) in secrets)
        {
            settings[key] = value;
        }

        return SiloApp.StartAsync(settings, services: services =>
        {
            if (database is null)
            {
                services.AddSingleton(_memory);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class MemoryKeyRotationFixture() : KeyRotationFixture(StorageMode.Memory);

public sealed class PostgresKeyRotationFixture() : KeyRotationFixture(StorageMode.Postgres);

public sealed class KeyRotationTestsInMemory(MemoryKeyRotationFixture fixture) : KeyRotationTests(fixture), IClassFixture<MemoryKeyRotationFixture>;

public sealed class KeyRotationTestsOnPostgres(PostgresKeyRotationFixture fixture) : KeyRotationTests(fixture), IClassFixture<PostgresKeyRotationFixture>;
