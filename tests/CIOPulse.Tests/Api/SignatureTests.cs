using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Issue 14, signatures: Standard Webhooks headers on real POSTs, checked by the test project's own
/// verifier (<see cref="StandardWebhooksVerifier"/>, no product code); off by default with the
/// headers of before; rotation with the old secret signing for the (scaled-down) overlap; the
/// secret shown once and never logged; the settings' and the secret route's bad input and plan gate.
/// </summary>
public abstract class SignatureTests(SignatureFixture fixture)
{
    private static readonly string[] _signatureHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"];

    [Fact]
    public async Task A_new_accounts_webhook_has_no_signature_headers_and_exactly_the_headers_of_before()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var settings = await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        Assert.False(settings.GetProperty("signaturesEnabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, settings.GetProperty("signingSecretCreatedUtc").ValueKind);

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        // A secret alone signs nothing: signatures stay off until they are turned on.
        await CreateSecretAsync(accountId, HttpStatusCode.Created);
        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));

        var received = await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline);
        Assert.All(received, request =>
        {
            Assert.Equal(["Content-Length", "Content-Type", "Host", "User-Agent", "X-CIOPulse-Webhook-Id"],
                request.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
            Assert.DoesNotContain(request.Headers.Keys, name => _signatureHeaders.Contains(name, StringComparer.OrdinalIgnoreCase));
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Signed_webhooks_verify_independently_and_fail_when_body_timestamp_or_id_is_tampered(bool serviceNowWrapper)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var url = fixture.Receiver.UrlFor(path, attempt => attempt == 1 ? new ReceiverResponse(500, "again") : ReceiverResponse.Ok);
        var secret = (await CreateSecretAsync(accountId, HttpStatusCode.Created)).Text("secret");
        await fixture.App.SetSettingsAsync(accountId, SignedSettings(url, serviceNowWrapper: serviceNowWrapper));
        var completion = Completion(NewResponseId());
        completion["Comments"] = "Très bien — \"merci\"\n<b>&amp;</b> \\ 日本語 😀 \u0001";
        completion["Customer"] = "zoë/ø";

        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, completion);

        // The failed first attempt and its retry: each signed afresh, with its own timestamp.
        var received = await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline);
        Assert.Contains("\\u", received[0].Body, StringComparison.Ordinal);
        Assert.Contains("\\\"merci\\\"", received[0].Body, StringComparison.Ordinal);
        Assert.Equal(serviceNowWrapper, received[0].Body.StartsWith("""{"sysparm_quantity":"1","variables":{""", StringComparison.Ordinal));
        foreach (var request in received)
        {
            Assert.Equal(webhookId, request.Headers["webhook-id"]);
            Assert.Equal(webhookId, request.WebhookId);
            Assert.True(StandardWebhooksVerifier.Verify(secret, request.Headers, request.Body), $"The signature of {request.Body} does not verify.");
            var seconds = long.Parse(request.Headers["webhook-timestamp"], CultureInfo.InvariantCulture);
            Assert.InRange(DateTimeOffset.FromUnixTimeSeconds(seconds), DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow);
            Assert.Matches(@"^v1,[A-Za-z0-9+/]{43}=$", request.Headers["webhook-signature"]);
        }

        Assert.True(long.Parse(received[1].Headers["webhook-timestamp"], CultureInfo.InvariantCulture) > long.Parse(received[0].Headers["webhook-timestamp"], CultureInfo.InvariantCulture),
            "The retry carries the timestamp of its own attempt.");
        var signed = received[0];
        var headers = signed.Headers;
        var now = DateTimeOffset.UtcNow;
        Assert.True(StandardWebhooksVerifier.Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], signed.Body, now));
        Assert.False(StandardWebhooksVerifier.Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], signed.Body.Replace("Très", "Tres", StringComparison.Ordinal), now));
        Assert.False(StandardWebhooksVerifier.Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], signed.Body + " ", now));
        var otherTimestamp = (long.Parse(headers["webhook-timestamp"], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        Assert.False(StandardWebhooksVerifier.Verify(secret, headers["webhook-id"], otherTimestamp, headers["webhook-signature"], signed.Body, now));
        Assert.False(StandardWebhooksVerifier.Verify(secret, "0000000000000", headers["webhook-timestamp"], headers["webhook-signature"], signed.Body, now));
        Assert.False(StandardWebhooksVerifier.Verify(SecretOf(await CreateSecretAsync(await fixture.App.CreateAccountAsync(), HttpStatusCode.Created)), headers, signed.Body),
            "another account's secret verifies the signature");
    }

    [Fact]
    public async Task After_a_rotation_webhooks_carry_two_signatures_new_first_and_the_old_one_stops_after_the_overlap()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var oldSecret = SecretOf(await CreateSecretAsync(accountId, HttpStatusCode.Created));
        await fixture.App.SetSettingsAsync(accountId, SignedSettings(fixture.Receiver.UrlFor(path)));

        var rotation = await CreateSecretAsync(accountId, HttpStatusCode.OK);
        var newSecret = SecretOf(rotation);
        Assert.NotEqual(oldSecret, newSecret);
        var until = rotation.Time("previousSignsUntilUtc");
        Assert.Equal(SignatureFixture.Overlap, until - rotation.Time("createdUtc"));
        using var client = fixture.App.CreateClient();
        var settings = await client.GetJsonAsync(SettingsPath(accountId));
        Assert.Equal(until, settings.Time("previousSecretSignsUntilUtc"));
        Assert.Equal(rotation.Time("createdUtc"), settings.Time("signingSecretCreatedUtc"));

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var during = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        var signatures = during.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(VerifiesWith(newSecret, during, signatures[0]), "the first signature is the new secret's");
        Assert.True(VerifiesWith(oldSecret, during, signatures[1]), "the second signature is the old secret's");
        Assert.False(VerifiesWith(oldSecret, during, signatures[0]));
        Assert.True(StandardWebhooksVerifier.Verify(oldSecret, during.Headers, during.Body), "a receiver still on the old secret accepts it");
        Assert.True(StandardWebhooksVerifier.Verify(newSecret, during.Headers, during.Body), "a receiver on the new secret accepts it");

        var wait = until - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var after = (await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline))[1];
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.True(StandardWebhooksVerifier.Verify(newSecret, after.Headers, after.Body));
        Assert.False(StandardWebhooksVerifier.Verify(oldSecret, after.Headers, after.Body), "the old secret signs after its overlap");
        Assert.Equal(JsonValueKind.Null, (await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("previousSecretSignsUntilUtc").ValueKind);
    }

    [Fact]
    public async Task The_secret_is_in_the_creating_answer_only_never_in_the_settings_or_the_logs()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        using var client = fixture.App.CreateClient(key);

        using var created = await client.PostAsync(SigningSecretPath(accountId), content: null);
        await AssertStatusAsync(created, HttpStatusCode.Created);
        Assert.True(created.Headers.CacheControl?.NoStore, "the answer holding the secret may be cached");
        var issue = await ReadJsonAsync(created);
        var secret = SecretOf(issue);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Equal(JsonValueKind.Null, issue.GetProperty("previousSignsUntilUtc").ValueKind);

        await fixture.App.SetSettingsAsync(accountId, SignedSettings(fixture.Receiver.UrlFor(path)));
        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var received = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.True(StandardWebhooksVerifier.Verify(secret, received.Headers, received.Body));

        foreach (var reader in new[] { key, SiloApp.SystemKey })
        {
            using var readerClient = fixture.App.CreateClient(reader);
            using var get = await readerClient.GetAsync(SettingsPath(accountId));
            await AssertStatusAsync(get, HttpStatusCode.OK);
            var text = await get.Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret["whsec_".Length..], text, StringComparison.Ordinal);
            var settings = await ReadJsonAsync(get);
            Assert.True(settings.GetProperty("signaturesEnabled").GetBoolean());
            Assert.Equal(issue.Time("createdUtc"), settings.Time("signingSecretCreatedUtc"));
            Assert.Equal(JsonValueKind.Null, settings.GetProperty("previousSecretSignsUntilUtc").ValueKind);
        }

        using (var entry = await client.GetAsync(LogPath(accountId)))
        {
            Assert.DoesNotContain(secret, await entry.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Contains(fixture.Logs.Entries, entry => entry.Level >= LogLevel.Information);
        Assert.DoesNotContain(fixture.Logs.Entries, entry => entry.Text.Contains(secret["whsec_".Length..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Turning_signatures_off_removes_the_headers_and_an_update_without_signatures_keeps_them()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var path = ReceiverPathFor(accountId);
        var url = fixture.Receiver.UrlFor(path);
        var secret = SecretOf(await CreateSecretAsync(accountId, HttpStatusCode.Created));
        await fixture.App.SetSettingsAsync(accountId, SignedSettings(url));

        var kept = await fixture.App.SetSettingsAsync(accountId, Settings(url, "user", "pw"));
        Assert.True(kept.GetProperty("signaturesEnabled").GetBoolean());
        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var first = Assert.Single(await fixture.Receiver.WaitForRequestsAsync(path, 1, Deadline));
        Assert.True(StandardWebhooksVerifier.Verify(secret, first.Headers, first.Body));

        var off = await fixture.App.SetSettingsAsync(accountId, SignedSettings(url, signatures: false));
        Assert.False(off.GetProperty("signaturesEnabled").GetBoolean());
        await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        var second = (await fixture.Receiver.WaitForRequestsAsync(path, 2, Deadline))[1];
        Assert.DoesNotContain(second.Headers.Keys, name => _signatureHeaders.Contains(name, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("\"true\"")]
    [InlineData("1")]
    [InlineData("{}")]
    public async Task Signatures_that_are_not_a_boolean_get_400_naming_signatures(string value)
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent($$"""{"enabled":false,"signatures":{{value}}}""");

        using var response = await client.PutAsync(SettingsPath(accountId), content);

        await AssertInvalidAsync(response, "signatures");
    }

    [Fact]
    public async Task Turning_signatures_on_without_a_signing_secret_gets_400_naming_signatures()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PutSettingsAsync(accountId, SignedSettings(fixture.Receiver.UrlFor(ReceiverPathFor(accountId))));

        var problem = await AssertInvalidAsync(response, "signatures");
        Assert.Contains("signing secret", Detail(problem), StringComparison.Ordinal);
        Assert.False((await client.GetJsonAsync(SettingsPath(accountId))).GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_Standard_plan_account_gets_403_for_a_signing_secret_and_for_signatures_on()
    {
        var accountId = await fixture.App.CreateAccountAsync("Standard");
        var key = await fixture.App.IssueKeyAsync(accountId);
        using var client = fixture.App.CreateClient(key);

        using (var secret = await client.PostAsync(SigningSecretPath(accountId), content: null))
        {
            var problem = await AssertProblemAsync(secret, HttpStatusCode.Forbidden);
            Assert.Contains("Standard plan", Detail(problem), StringComparison.Ordinal);
        }

        using var settings = await client.PutSettingsAsync(accountId, SignedSettings(url: null, enabled: false));
        var refused = await AssertProblemAsync(settings, HttpStatusCode.Forbidden);
        Assert.Contains("Standard plan", Detail(refused), StringComparison.Ordinal);
        var stored = await client.GetJsonAsync(SettingsPath(accountId));
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("signingSecretCreatedUtc").ValueKind);
    }

    [Fact]
    public async Task The_signing_secret_route_answers_404_for_another_accounts_key_and_401_without_one()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        var other = await fixture.App.CreateAccountAsync();
        using var otherClient = fixture.App.CreateClient(await fixture.App.IssueKeyAsync(other));
        using var anonymous = fixture.App.CreateClient(apiKey: null);

        using (var response = await otherClient.PostAsync(SigningSecretPath(accountId), content: null))
        {
            await AssertProblemAsync(response, HttpStatusCode.NotFound);
        }

        using (var response = await anonymous.PostAsync(SigningSecretPath(accountId), content: null))
        {
            await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }

        using var system = fixture.App.CreateClient();
        Assert.Equal(JsonValueKind.Null, (await system.GetJsonAsync(SettingsPath(accountId))).GetProperty("signingSecretCreatedUtc").ValueKind);
    }

    private static JsonObject SignedSettings(string? url, bool signatures = true, bool serviceNowWrapper = false, bool enabled = true)
    {
        var settings = Settings(url, enabled: enabled, serviceNowWrapper: serviceNowWrapper);
        settings["signatures"] = signatures;
        return settings;
    }

    private static string SecretOf(JsonElement issue) => issue.Text("secret");

    /// <summary>Whether one <c>v1,…</c> signature of the request verifies under <paramref name="secret"/>.</summary>
    private static bool VerifiesWith(string secret, ReceivedRequest request, string signature) =>
        StandardWebhooksVerifier.Verify(secret, request.Headers["webhook-id"], request.Headers["webhook-timestamp"], signature, request.Body, DateTimeOffset.UtcNow);

    private async Task<JsonElement> CreateSecretAsync(string accountId, HttpStatusCode expected)
    {
        using var client = fixture.App.CreateClient();
        using var response = await client.PostAsync(SigningSecretPath(accountId), content: null);
        await AssertStatusAsync(response, expected);
        return await ReadJsonAsync(response);
    }
}

/// <summary>A node whose replaced signing secrets sign for <see cref="Overlap"/> only, logging from Information up into <see cref="Logs"/>.</summary>
public abstract class SignatureFixture(StorageMode mode) : SiloAppFixture(mode)
{
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    public CapturingLoggerProvider Logs { get; } = new();

    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Webhooks:SigningSecretOverlap"] = "00:00:05",
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:Console:LogLevel:Default"] = "Warning", // the capture sees Information, the test output does not
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(Logs);
}

public sealed class MemorySignatureFixture() : SignatureFixture(StorageMode.Memory);

public sealed class PostgresSignatureFixture() : SignatureFixture(StorageMode.Postgres);

[CollectionDefinition(Memory)]
public sealed class SignatureCollection : ICollectionFixture<MemorySignatureFixture>
{
    public const string Memory = "signatures (memory)";
    public const string Postgres = "signatures (PostgreSQL)";
}

[CollectionDefinition(SignatureCollection.Postgres)]
public sealed class PostgresSignatureCollection : ICollectionFixture<PostgresSignatureFixture>;

[Collection(SignatureCollection.Memory)]
public sealed class SignatureTestsInMemory(MemorySignatureFixture fixture) : SignatureTests(fixture);

[Collection(SignatureCollection.Postgres)]
public sealed class SignatureTestsOnPostgres(PostgresSignatureFixture fixture) : SignatureTests(fixture);
