using System.Net;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4 authentication: who may call which route, and what everyone else is told.</summary>
public abstract class AuthorizationTests(SiloAppFixture fixture)
{
    private const string PutAccount = "PUT account";
    private const string PostKeys = "POST keys";
    private const string PostCompletion = "POST survey-completions";
    private const string GetSettings = "GET webhook-settings";
    private const string PutSettings = "PUT webhook-settings";
    private const string GetLog = "GET webhook-log";
    private const string GetEntry = "GET webhook-log entry";
    private const string PostResend = "POST resend";
    private const string PostTest = "POST webhook-settings/test";

    private const string NoKey = "no key";
    private const string WrongKey = "a wrong key";
    private const string NearlySystemKey = "the system key with its last character changed";
    private const string UnissuedKey = "an unissued cpk key of the account";
    private const string MissingAccountKey = "a cpk key of an account that does not exist";

    private static readonly string[] _systemRoutes = [PutAccount, PostKeys, PostCompletion];
    private static readonly string[] _accountRoutes = [GetSettings, PutSettings, GetLog, GetEntry, PostResend, PostTest];
    private static readonly string[] _badKeys = [NoKey, WrongKey, NearlySystemKey, UnissuedKey, MissingAccountKey];

    public static TheoryData<string> SystemRoutes => new(_systemRoutes);

    public static TheoryData<string> AccountRoutes => new(_accountRoutes);

    public static TheoryData<string> AllRoutes => new([.. _systemRoutes, .. _accountRoutes]);

    public static TheoryData<string, string> AllRoutesWithBadKeys
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var route in _systemRoutes.Concat(_accountRoutes))
            {
                foreach (var key in _badKeys)
                {
                    data.Add(route, key);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(AllRoutesWithBadKeys))]
    public async Task A_missing_wrong_or_unissued_key_gets_401(string route, string keyKind)
    {
        var owner = await fixture.CreateWebhookAccountAsync();
        var key = keyKind switch
        {
            NoKey => null,
            WrongKey => "wrong-key-0123456789",
            NearlySystemKey => SiloApp.SystemKey[..^1] + "X",
            UnissuedKey => UnissuedKeyFor(owner.Id),
            MissingAccountKey => UnissuedKeyFor(NewAccountId()),
            _ => throw new ArgumentOutOfRangeException(nameof(keyKind), keyKind, "Unknown key kind."),
        };

        using var response = await SendAsync(key, route, owner);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [MemberData(nameof(AccountRoutes))]
    public async Task An_account_key_may_use_its_own_accounts_routes(string route)
    {
        var owner = await fixture.CreateWebhookAccountAsync();

        using var response = await SendAsync(owner.Key, route, owner);

        await AssertStatusAsync(response, SuccessStatus(route));
    }

    [Theory]
    [MemberData(nameof(AccountRoutes))]
    public async Task Another_accounts_key_gets_404_not_403_and_changes_nothing(string route)
    {
        var owner = await fixture.CreateWebhookAccountAsync();
        var intruder = await fixture.CreateWebhookAccountAsync();

        using var response = await SendAsync(intruder.Key, route, owner);

        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain("forbidden", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        using var system = fixture.App.CreateClient();
        var settings = await system.GetJsonAsync(SettingsPath(owner.Id));
        Assert.Equal(fixture.Receiver.UrlFor(owner.ReceiverPath), settings.Text("url"));
    }

    [Theory]
    [MemberData(nameof(SystemRoutes))]
    public async Task An_account_key_gets_403_on_system_routes_even_for_its_own_account(string route)
    {
        var owner = await fixture.CreateWebhookAccountAsync();

        using var response = await SendAsync(owner.Key, route, owner);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(SystemRoutes))]
    public async Task An_account_key_gets_403_on_system_routes_of_another_account(string route)
    {
        var owner = await fixture.CreateWebhookAccountAsync();
        var intruder = await fixture.CreateWebhookAccountAsync();

        using var response = await SendAsync(intruder.Key, route, owner);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Theory]
    [MemberData(nameof(AllRoutes))]
    public async Task The_system_key_may_use_every_route(string route)
    {
        var owner = await fixture.CreateWebhookAccountAsync();

        using var response = await SendAsync(SiloApp.SystemKey, route, owner);

        await AssertStatusAsync(response, SuccessStatus(route));
    }

    [Theory]
    [MemberData(nameof(AccountRoutes))]
    [InlineData(PostKeys)]
    [InlineData(PostCompletion)]
    public async Task The_system_key_gets_404_for_an_account_that_does_not_exist(string route)
    {
        var missing = new ApiTestAccount(NewAccountId(), "", ReceiverPathFor("missing"), "0123456789abc");

        using var response = await SendAsync(SiloApp.SystemKey, route, missing);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_issued_key_is_returned_once_in_a_201_and_works()
    {
        var accountId = await fixture.App.CreateAccountAsync();
        using var system = fixture.App.CreateClient();

        using var issued = await system.PostAsync(KeysPath(accountId), content: null);

        await AssertStatusAsync(issued, HttpStatusCode.Created);
        var body = await ReadJsonAsync(issued);
        var member = Assert.Single(body.EnumerateObject());
        Assert.Equal("key", member.Name);
        var key = member.Value.GetString()!;
        Assert.StartsWith("cpk_", key, StringComparison.Ordinal);

        using var account = fixture.App.CreateClient(key);
        using var settings = await account.GetAsync(SettingsPath(accountId));
        await AssertStatusAsync(settings, HttpStatusCode.OK);
        Assert.DoesNotContain(key, await settings.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var second = await fixture.App.IssueKeyAsync(accountId);
        Assert.NotEqual(key, second);
        using var secondAccount = fixture.App.CreateClient(second);
        using var log = await secondAccount.GetAsync(LogPath(accountId));
        await AssertStatusAsync(log, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_only_opens_the_account_it_was_issued_for_even_with_the_id_swapped()
    {
        var owner = await fixture.CreateWebhookAccountAsync();
        var other = await fixture.CreateWebhookAccountAsync();
        var forged = owner.Key.Replace("cpk_" + owner.Id + "_", "cpk_" + other.Id + "_", StringComparison.Ordinal);

        using var client = fixture.App.CreateClient(forged);
        using var response = await client.GetAsync(SettingsPath(other.Id));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    private static HttpStatusCode SuccessStatus(string route) => route switch
    {
        PostKeys => HttpStatusCode.Created,
        PostCompletion or PostResend => HttpStatusCode.Accepted,
        _ => HttpStatusCode.OK,
    };

    private async Task<HttpResponseMessage> SendAsync(string? key, string route, ApiTestAccount target)
    {
        (HttpMethod Method, string Path, string? Body) call = route switch
        {
            PutAccount => (HttpMethod.Put, AccountPath(target.Id), """{"name":"Renamed account","plan":"Corporate"}"""),
            PostKeys => (HttpMethod.Post, KeysPath(target.Id), null),
            PostCompletion => (HttpMethod.Post, CompletionsPath(target.Id), Completion(NewResponseId()).ToJsonString()),
            GetSettings => (HttpMethod.Get, SettingsPath(target.Id), null),
            PutSettings => (HttpMethod.Put, SettingsPath(target.Id), Settings(fixture.Receiver.UrlFor(target.ReceiverPath + "-changed")).ToJsonString()),
            GetLog => (HttpMethod.Get, LogPath(target.Id), null),
            GetEntry => (HttpMethod.Get, EntryPath(target.Id, target.WebhookId), null),
            PostResend => (HttpMethod.Post, ResendPath(target.Id, target.WebhookId), null),
            PostTest => (HttpMethod.Post, TestWebhookTests.TestPath(target.Id), null),
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, "Unknown route."),
        };

        using var client = fixture.App.CreateClient(key);
        using var request = new HttpRequestMessage(call.Method, call.Path);
        using var content = call.Body is null ? null : JsonContent(call.Body);
        request.Content = content;
        return await client.SendAsync(request);
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class AuthorizationTestsInMemory(MemorySiloAppFixture fixture) : AuthorizationTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class AuthorizationTestsOnPostgres(PostgresSiloAppFixture fixture) : AuthorizationTests(fixture);
