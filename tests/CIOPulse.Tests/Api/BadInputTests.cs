using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Api;

/// <summary>
/// Bad input never gets a 5xx: bodies that are not UTF-8 (or escape a lone surrogate), duplicate
/// members, bodies over the limit without a length, broken chunked framing, odd and overlong path
/// ids, and the framework's own answers (unknown route, wrong method) are all 4xx problem details
/// with a <c>detail</c>, naming the field when one is at fault; and nothing is accepted.
/// </summary>
public abstract class BadInputTests(SiloAppFixture fixture)
{
    private const int TwoMebibytes = 2 * 1024 * 1024;

    /// <summary>Byte sequences that are not UTF-8, and escapes that are not UTF-16 text, as they appear inside a JSON string.</summary>
    public static TheoryData<string> NotText => new()
    {
        "ff",                   // never valid in UTF-8
        "c328",                 // a lead byte followed by a non-continuation byte
        "c0af",                 // overlong '/'
        "e080af",               // overlong '/' in three bytes
        "eda080",               // an encoded surrogate (U+D800)
        "edbfbf",               // an encoded surrogate (U+DFFF)
        "e282",                 // truncated three-byte sequence
        "f09f98",               // truncated four-byte sequence
        "80",                   // a lone continuation byte
        "f4908080",             // above U+10FFFF
        "f888808080",           // a five-byte form
        @"\ud800",              // a lone high surrogate escape
        @"\udc00",              // a lone low surrogate escape
        @"\ud800\u0041",        // a high surrogate escape followed by a non-surrogate
    };

    [Theory]
    [MemberData(nameof(NotText))]
    public async Task A_completion_field_that_is_not_text_gets_400_naming_it_and_is_not_accepted(string bad)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsync(CompletionsPath(account.Id), Body($$"""{"Response_ID":"{{NewResponseId()}}","Overall":9,"Comments":"a<BAD>b"}""", bad));

        await AssertInvalidAsync(response, "Comments");
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("eda080")]
    [InlineData(@"\ud800")]
    public async Task A_factor_that_is_not_text_gets_400_naming_its_place(string bad)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsync(CompletionsPath(account.Id),
            Body($$"""{"Response_ID":"{{NewResponseId()}}","Overall":9,"Selected_Factors":["Speed","Eff<BAD>ort"]}""", bad));

        await AssertInvalidAsync(response, "Selected_Factors[1]");
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("c328")]
    [InlineData(@"\ud800")]
    public async Task A_completion_member_name_that_is_not_text_gets_400_naming_it(string bad)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsync(CompletionsPath(account.Id),
            Body($$"""{"Response_ID":"{{NewResponseId()}}","Overall":9,"Comm<BAD>ents":"x"}""", bad));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var field = Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name;
        Assert.StartsWith("Comm", field, StringComparison.Ordinal);
        Assert.EndsWith("ents", field, StringComparison.Ordinal);
        Assert.Contains(field, Detail(problem), StringComparison.Ordinal);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("eda080")]
    [InlineData(@"\udc00")]
    public async Task A_nested_unknown_member_that_is_not_text_gets_400_naming_its_path(string bad)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();

        using var response = await client.PostAsync(CompletionsPath(account.Id),
            Body($$$"""{"Response_ID":"{{{NewResponseId()}}}","Overall":9,"Extra":{"list":[1,{"deep":"<BAD>"}]}}""", bad));

        await AssertInvalidAsync(response, "Extra.list[1].deep");
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [MemberData(nameof(NotText))]
    public async Task An_account_name_that_is_not_text_gets_400_naming_it_and_creates_nothing(string bad)
    {
        var accountId = NewAccountId();
        using var client = fixture.App.CreateClient();

        using var response = await client.PutAsync(AccountPath(accountId), Body("""{"name":"a<BAD>b","plan":"Corporate"}""", bad));

        await AssertInvalidAsync(response, "name");
        using var settings = await client.GetAsync(SettingsPath(accountId));
        await AssertProblemAsync(settings, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData(@"\ud800")]
    public async Task An_account_member_name_that_is_not_text_gets_400_and_creates_nothing(string bad)
    {
        var accountId = NewAccountId();
        using var client = fixture.App.CreateClient();

        using var response = await client.PutAsync(AccountPath(accountId), Body("""{"name":"Acme","plan":"Corporate","n<BAD>":1}""", bad));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.StartsWith("n", Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name, StringComparison.Ordinal);
        using var settings = await client.GetAsync(SettingsPath(accountId));
        await AssertProblemAsync(settings, HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(NotText))]
    public async Task A_settings_field_that_is_not_text_gets_400_naming_it_and_changes_nothing(string bad)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var before = await client.GetJsonAsync(SettingsPath(account.Id));

        using var response = await client.PutAsync(SettingsPath(account.Id),
            Body($$"""{"enabled":true,"url":"{{fixture.Receiver.UrlFor(account.ReceiverPath)}}","username":"u<BAD>","password":"p"}""", bad));

        await AssertInvalidAsync(response, "username");
        Assert.Equal(before.ToString(), (await client.GetJsonAsync(SettingsPath(account.Id))).ToString());
    }

    [Theory]
    [InlineData("""{"Response_ID":"r-1","Response_ID":"r-2","Overall":9}""", "Response_ID")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Overall":10}""", "Overall")]
    [InlineData("""{"Response_ID":"r-1","Response\u005fID":"r-2","Overall":9}""", "Response_ID")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Comments":"a","Comments":"a"}""", "Comments")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Unknown":1,"Unknown":2}""", "Unknown")]
    [InlineData("""{"Response_ID":"r-1","Overall":9,"Customer":{"a":1,"a":2}}""", "Customer.a")]
    public async Task A_completion_with_a_duplicate_member_gets_400_naming_it_and_is_not_accepted(string body, string field)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        using var content = JsonContent(body);

        using var response = await client.PostAsync(CompletionsPath(account.Id), content);

        var problem = await AssertInvalidAsync(response, field);
        Assert.Contains("more than once", Detail(problem), StringComparison.Ordinal);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("""{"name":"Acme","plan":"Standard","plan":"Corporate"}""", "plan")]
    [InlineData("""{"name":"Acme","name":"Acme","plan":"Corporate"}""", "name")]
    public async Task An_account_with_a_duplicate_member_gets_400_naming_it_and_creates_nothing(string body, string field)
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
    [InlineData("""{"enabled":true,"enabled":false}""", "enabled")]
    [InlineData("""{"enabled":false,"password":"","password":"x"}""", "password")]
    public async Task Settings_with_a_duplicate_member_get_400_naming_it_and_change_nothing(string body, string field)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);
        var before = await client.GetJsonAsync(SettingsPath(account.Id));
        using var content = JsonContent(body);

        using var response = await client.PutAsync(SettingsPath(account.Id), content);

        await AssertInvalidAsync(response, field);
        Assert.Equal(before.ToString(), (await client.GetJsonAsync(SettingsPath(account.Id))).ToString());
    }

    [Fact]
    public async Task A_chunked_completion_body_of_2_MiB_gets_413_with_problem_details()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        var body = Encoding.UTF8.GetBytes($$"""{"Response_ID":"{{NewResponseId()}}","Overall":9,"Comments":"{{new string('x', TwoMebibytes)}}"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, CompletionsPath(account.Id));
        // A stream of unknown length is sent chunked, without Content-Length.
        using var content = new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Null(request.Content.Headers.ContentLength);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Theory]
    [InlineData("zz\r\n{}\r\n0\r\n\r\n")]                       // a chunk size that is not hexadecimal
    [InlineData("2\r\n{}XX0\r\n\r\n")]                          // a chunk without its CRLF
    [InlineData("ffffffffffffffffff\r\n{}\r\n0\r\n\r\n")]       // a chunk size that overflows
    public async Task A_completion_body_with_broken_chunked_framing_gets_400_with_problem_details(string framing)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        var head = $"POST /{CompletionsPath(account.Id)} HTTP/1.1\r\nHost: {fixture.App.BaseUri.Authority}\r\nX-Api-Key: {SiloApp.SystemKey}\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";

        var (status, contentType, body) = await SendRawAsync(fixture.App.BaseUri, head + framing);

        Assert.Equal(400, status);
        Assert.Equal(ProblemJson, contentType);
        Assert.Contains("\"detail\":", body, StringComparison.Ordinal);
        using var client = fixture.App.CreateClient();
        await AssertOnlyTheSetupWebhookIsLoggedAsync(client, account);
    }

    [Fact]
    public async Task An_account_put_with_a_10_KB_id_gets_400_naming_accountId()
    {
        using var client = fixture.App.CreateClient();

        using var response = await client.PutAccountAsync(new string('a', 10_000), new JsonObject { ["name"] = "Long", ["plan"] = "Corporate" });

        await AssertInvalidAsync(response, "accountId");
    }

    [Theory]
    [InlineData("%FF")]
    [InlineData("%ED%A0%80")]
    [InlineData("%C3%A9t%C3%A9")]
    [InlineData("%F0%9F%98%80")]
    [InlineData("a%2Fb")]
    [InlineData("%20")]
    public async Task An_odd_account_id_in_a_path_gets_a_4xx_problem_with_a_detail(string accountId)
    {
        using var client = fixture.App.CreateClient();
        using var content = JsonContent("""{"name":"Odd","plan":"Corporate"}""");

        using var put = await client.PutAsync(AccountPath(accountId), content);
        using var keys = await client.PostAsync(KeysPath(accountId), content: null);
        using var log = await client.GetAsync(LogPath(accountId));

        await AssertInvalidAsync(put, "accountId");
        await AssertProblemAsync(keys, HttpStatusCode.NotFound);
        await AssertProblemAsync(log, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("%2e%2e")]
    [InlineData("%2E")]
    [InlineData("..%2F..")]
    public async Task A_dot_segment_for_an_account_id_gets_a_4xx_problem_with_a_detail(string accountId)
    {
        using var client = fixture.App.CreateClient();
        using var content = JsonContent("""{"name":"Dots","plan":"Corporate"}""");

        using var put = await client.PutAsync(AccountPath(accountId), content);
        using var keys = await client.PostAsync(KeysPath(accountId), content: null);
        using var log = await client.GetAsync(LogPath(accountId));

        foreach (var response in (HttpResponseMessage[])[put, keys, log])
        {
            Assert.InRange((int)response.StatusCode, 400, 499);
            await AssertProblemShapeAsync(response);
        }
    }

    [Theory]
    [InlineData("0123456789ABC")]
    [InlineData("0123456789abc%20")]
    [InlineData("%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80%F0%9F%98%80")]
    [InlineData("%ED%A0%80")]
    public async Task An_odd_webhook_id_in_a_path_gets_404_with_a_detail(string webhookId)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);

        using var entry = await client.GetAsync(EntryPath(account.Id, webhookId));
        using var resend = await client.PostAsync(ResendPath(account.Id, webhookId), content: null);

        await AssertProblemAsync(entry, HttpStatusCode.NotFound);
        await AssertProblemAsync(resend, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_10_KB_webhook_id_gets_404_with_a_detail()
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient(account.Key);

        using var entry = await client.GetAsync(EntryPath(account.Id, new string('a', 10_000)));

        await AssertProblemAsync(entry, HttpStatusCode.NotFound);
    }

    /// <summary>
    /// Requests the server itself refuses while parsing, before any of the API runs, so they get its
    /// bare answer without problem details: a path with a NUL (400) and a request line longer than
    /// <see cref="CIOPulse.Api.WebhookApi.MaxRequestLineBytes"/> (414). Never a 5xx.
    /// </summary>
    [Theory]
    [InlineData("%00", 400)]
    [InlineData("a%00b", 400)]
    [InlineData("LONG", 414)]
    public async Task A_request_the_server_refuses_while_parsing_gets_its_bare_4xx(string accountId, int status)
    {
        using var client = fixture.App.CreateClient();
        var id = accountId == "LONG" ? new string('a', CIOPulse.Api.WebhookApi.MaxRequestLineBytes) : accountId;

        using var response = await client.PostAsync(KeysPath(id), content: null);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("GET", "api/v1/nothing-here")]
    [InlineData("GET", "api/v1/accounts")]
    [InlineData("GET", "api/v1/accounts//keys")]
    [InlineData("POST", "api/v1/accounts//survey-completions")]
    [InlineData("GET", "api/v1/accounts/x/webhook-log/")]
    [InlineData("GET", "api/v2/accounts/x/webhook-log")]
    [InlineData("GET", "nothing-here")]
    public async Task An_unknown_route_gets_404_problem_details_with_a_detail(string method, string path)
    {
        using var client = fixture.App.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("DELETE", "keys")]
    [InlineData("GET", "keys")]
    [InlineData("GET", "")]
    [InlineData("PATCH", "")]
    [InlineData("DELETE", "webhook-settings")]
    [InlineData("GET", "survey-completions")]
    [InlineData("PUT", "webhook-log")]
    [InlineData("GET", "webhook-log/0123456789abc/resend")]
    public async Task A_wrong_method_gets_405_problem_details_with_a_detail_and_the_allowed_methods(string method, string suffix)
    {
        var account = await fixture.CreateWebhookAccountAsync();
        using var client = fixture.App.CreateClient();
        var path = suffix.Length == 0 ? AccountPath(account.Id) : AccountPath(account.Id) + "/" + suffix;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        using var response = await client.SendAsync(request);

        var problem = await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.NotEmpty(response.Content.Headers.Allow);
        Assert.Contains(response.Content.Headers.Allow.First(), Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_portal_keeps_its_own_html_error_page_for_an_unknown_address()
    {
        using var client = fixture.App.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Accept.Clear();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await client.GetAsync("portal/no-such-page");

        Assert.NotEqual(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        Assert.True((int)response.StatusCode is 404 or 302, $"Expected the portal's 404 page or its sign-in redirect, got {(int)response.StatusCode}.");
    }

    /// <summary>A JSON text with <c>&lt;BAD&gt;</c> replaced by <paramref name="bad"/>: hex bytes, or a literal escape when it starts with a backslash.</summary>
    private static ByteArrayContent Body(string template, string bad)
    {
        var at = template.IndexOf("<BAD>", StringComparison.Ordinal);
        var inserted = bad.StartsWith('\\') ? Encoding.ASCII.GetBytes(bad) : Convert.FromHexString(bad);
        byte[] bytes = [.. Encoding.UTF8.GetBytes(template[..at]), .. inserted, .. Encoding.UTF8.GetBytes(template[(at + "<BAD>".Length)..])];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Writes <paramref name="request"/> as is to the node and reads the answer until the node closes the connection.</summary>
    private static async Task<(int Status, string? ContentType, string Body)> SendRawAsync(Uri baseUri, string request)
    {
        using var tcp = new TcpClient();
        using var timeout = new CancellationTokenSource(Deadline);
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port, timeout.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(headEnd > 0, $"No HTTP answer: {text}");
        var lines = text[..headEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = lines.Skip(1).Select(line => line.Split(':', 2)).Where(parts => parts[0].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            .Select(parts => parts[1].Split(';')[0].Trim()).FirstOrDefault();
        return (status, contentType, text[(headEnd + 4)..]);
    }

    private static async Task AssertOnlyTheSetupWebhookIsLoggedAsync(HttpClient client, ApiTestAccount account)
    {
        var logged = await client.ReadWholeLogAsync(account.Id);
        Assert.Equal(account.WebhookId, Assert.Single(logged).Text("webhookId"));
    }

    /// <summary>A read-only stream that cannot tell its length, so HttpClient sends it chunked.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}

[Collection(SiloAppCollection.Memory)]
public sealed class BadInputTestsInMemory(MemorySiloAppFixture fixture) : BadInputTests(fixture);

[Collection(SiloAppCollection.Postgres)]
public sealed class BadInputTestsOnPostgres(PostgresSiloAppFixture fixture) : BadInputTests(fixture);
