using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>SPEC §4: every bad request is a problem detail that says what is wrong, and nothing is accepted.</summary>
public abstract class RequestValidationTests(SiloAppFixture fixture)
{
    private const string SixtyFiveCharacters = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string SixtyFourCharacters = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const int OneMebibyte = 1024 * 1024;

    [Theory]
    [InlineData("""{"Overall":9}""", "Response_ID", null)]
    [InlineData("""{"Response_ID":"","Overall":9}""", "Response_ID", null)]
    [InlineData("""{"Response_ID":"   ","Overall":9}""", "Response_ID", null)]
    [InlineData("""{"Response_ID":3690,"Overall":9}""", "Response_ID", null)]
    [InlineData("""{"Response_ID":"r-1"}""", "Overall", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":null}""", "Overall", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":11}""", "Overall", "11")]
    [InlineData("""{"Response_ID":"r-1","Overall":-1}""", "Overall", "-1")]
    [InlineData("""{"Response_ID":"r-1","Overall":9.5}""", "Overall", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":"9"}""", "Overall", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Selected_Factors":["Responsiveness","Happiness"]}""", "Selected_Factors", "Happiness")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Selected_Factors":"Responsiveness"}""", "Selected_Factors", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Selected_Factors":[3]}""", "Selected_Factors", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Selected_Factors":["Speed,Effort"]}""", "Selected_Factors", "Speed,Effort")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Selected_Factors":["+1"]}""", "Selected_Factors", "+1")]
    [InlineData("""{"Listening_Post":"Bogus","Response_ID":"r-1","Overall":9}""", "Listening_Post", "Bogus")]
    [InlineData("""{"Listening_Post":1,"Response_ID":"r-1","Overall":9}""", "Listening_Post", null)]
    [InlineData("""{"Listening_Post":"Transactional,Relationship","Response_ID":"r-1","Overall":9}""", "Listening_Post", "Transactional,Relationship")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Comments":42}""", "Comments", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Customer":{"name":"carole"}}""", "Customer", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Ticket_ID":["INC1"]}""", "Ticket_ID", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Response_Datetime_UTC":"yesterday"}""", "Response_Datetime_UTC", "yesterday")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Response_Datetime_UTC":"2021-02-30 07:50:52"}""", "Response_Datetime_UTC", null)]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Response_Datetime_UTC":1627545052}""", "Response_Datetime_UTC", null)]
    public async Task A_completion_with_a_bad_field_gets_400_naming_it_and_is_not_accepted(string body, string field, string? mentioned)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent(body);

        using var response = await client.PostAsync(CompletionsPath(account.Id), content);

        var problem = await AssertInvalidAsync(response, field);
        if (mentioned is not null)
        {
            Assert.Contains(mentioned, Detail(problem), StringComparison.Ordinal);
        }

        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("this is not JSON")]
    [InlineData("""{"Response_ID":"r-1","Overall":9""")]
    [InlineData("""{"Response_ID":"r-1","Overall":9}}""")]
    [InlineData("""[{"Response_ID":"r-1","Overall":9}]""")]
    [InlineData("\"a string\"")]
    [InlineData("null")]
    [InlineData("")]
    public async Task A_completion_body_that_is_not_a_json_object_gets_400(string body)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent(body);

        using var response = await client.PostAsync(CompletionsPath(account.Id), content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_body_over_1_MiB_gets_413_or_400_with_problem_details(bool chunked)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        var completion = Completion(NewResponseId());
        completion["Comments"] = new string('x', OneMebibyte);
        using var client = fixture.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, CompletionsPath(account.Id));
        using var content = JsonContent(completion.ToJsonString());
        request.Content = content;
        request.Headers.TransferEncodingChunked = chunked;

        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.BadRequest,
            $"Expected 413 or 400, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await AssertProblemShapeAsync(response);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Fact]
    public async Task A_completion_of_exactly_1_MiB_is_accepted()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        var completion = Completion(NewResponseId());
        completion["Comments"] = "";
        var overhead = Encoding.UTF8.GetByteCount(completion.ToJsonString());
        completion["Comments"] = new string('x', OneMebibyte - overhead);
        Assert.Equal(OneMebibyte, Encoding.UTF8.GetByteCount(completion.ToJsonString()));

        await fixture.App.PostAcceptedCompletionAsync(account.Id, completion);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_completion_with_a_non_json_content_type_gets_415(string contentType)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = new StringContent(Completion(NewResponseId()).ToJsonString(), Encoding.UTF8, contentType);

        using var response = await client.PostAsync(CompletionsPath(account.Id), content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Fact]
    public async Task Settings_with_a_non_json_content_type_get_415()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        using var content = new StringContent(Settings(null, enabled: false).ToJsonString(), Encoding.UTF8, "text/plain");

        using var response = await client.PutAsync(SettingsPath(account.Id), content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.True((await client.GetJsonAsync(SettingsPath(account.Id))).GetProperty("enabled").GetBoolean());
    }

    [Theory]
    [InlineData("Upper-Case")]
    [InlineData("under_score")]
    [InlineData("dot.ted")]
    [InlineData(SixtyFiveCharacters)]
    public async Task An_account_put_with_a_bad_account_id_gets_400_naming_accountId(string accountId)
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Bad id", ["plan"] = "Corporate" });

        await AssertInvalidAsync(response, "accountId");
    }

    [Fact]
    public async Task An_account_id_of_64_characters_is_accepted()
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.PutAccountAsync(SixtyFourCharacters, new JsonObject { ["name"] = "Long id", ["plan"] = "Standard" });

        await AssertStatusAsync(response, HttpStatusCode.OK);
        Assert.Equal(SixtyFourCharacters, (await ReadJsonAsync(response)).Text("id"));
    }

    [Theory]
    [InlineData("""{"name":"Acme","plan":"Gold"}""", "plan")]
    [InlineData("""{"name":"Acme","plan":"1"}""", "plan")]
    [InlineData("""{"name":"Acme","plan":1}""", "plan")]
    [InlineData("""{"name":"Acme"}""", "plan")]
    [InlineData("""{"name":"Acme","plan":""}""", "plan")]
    [InlineData("""{"name":"Acme","plan":"Standard,Corporate"}""", "plan")]
    [InlineData("""{"plan":"Corporate"}""", "name")]
    [InlineData("""{"name":"","plan":"Corporate"}""", "name")]
    [InlineData("""{"name":"   ","plan":"Corporate"}""", "name")]
    [InlineData("""{"name":42,"plan":"Corporate"}""", "name")]
    public async Task An_account_put_with_a_bad_member_gets_400_naming_it_and_creates_nothing(string body, string field)
    {
        var accountId = NewAccountId();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent(body);

        using var response = await client.PutAsync(AccountPath(accountId), content);

        await AssertInvalidAsync(response, field);
        using var settings = await client.GetAsync(SettingsPath(accountId));
        await AssertProblemAsync(settings, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("status=Bogus", "status")]
    [InlineData("status=2", "status")]
    [InlineData("status=InProgress,Succeeded", "status")]
    [InlineData("listeningPost=Bogus", "listeningPost")]
    [InlineData("listeningPost=1", "listeningPost")]
    [InlineData("listeningPost=Transactional,Relationship", "listeningPost")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=2.5", "limit")]
    [InlineData("cursor=garbage", "cursor")]
    [InlineData("cursor=%25%25%25", "cursor")]
    [InlineData("search=", "search")]
    [InlineData("search=%20%20", "search")]
    [InlineData("search=a%0Ab", "search")]
    public async Task A_log_query_with_a_bad_parameter_gets_400_naming_it(string query, string parameter)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);

        using var response = await client.GetAsync(LogPath(account.Id, query));

        await AssertInvalidAsync(response, parameter);
    }

    [Theory]
    [InlineData("limit=1")]
    [InlineData("limit=500")]
    [InlineData("status=succeeded&listeningPost=transactional")]
    [InlineData("search=0123456789abc")]
    public async Task A_log_query_at_the_edges_of_the_rules_is_accepted(string query)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);

        using var response = await client.GetAsync(LogPath(account.Id, query));

        await AssertStatusAsync(response, HttpStatusCode.OK);
    }

    private static async Task AssertOnlyTheSetupWebhookIsLoggedAsync(HttpClient client, ApiTestAccount account)
    {
        var logged = await client.ReadWholeLogAsync(account.Id);
        Assert.Equal(account.WebhookId, Assert.Single(logged).Text("webhookId"));
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class RequestValidationTestsInMemory(MemorySiloAppFixture fixture) : RequestValidationTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class RequestValidationTestsOnPostgres(PostgresSiloAppFixture fixture) : RequestValidationTests(fixture);
