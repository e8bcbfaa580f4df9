using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;

namespace CIOPulse.Tests.Api;

/// <summary>
/// The API tests' vocabulary: accounts, keys, settings, completions and log reads, all through the
/// real HTTP endpoints, and the checks that every error response must pass.
/// </summary>
internal static class ApiTestHelpers
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>How long a test waits for something the product should do within a second or so.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(25);

    public static string NewAccountId() => "t-" + Guid.NewGuid().ToString("N")[..12];

    public static string NewResponseId() => "resp-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A key shaped exactly like an issued one (<c>cpk_{account}_{43 base64url}</c>) that was never issued.</summary>
    public static string UnissuedKeyFor(string accountId) =>
        "cpk_" + accountId + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string ReceiverPathFor(string accountId, string suffix = "hook") => $"/api-tests/{accountId}/{suffix}";

    public static string AccountPath(string accountId) => $"api/v1/accounts/{accountId}";

    public static string KeysPath(string accountId) => AccountPath(accountId) + "/keys";

    public static string SettingsPath(string accountId) => AccountPath(accountId) + "/webhook-settings";

    public static string SigningSecretPath(string accountId) => SettingsPath(accountId) + "/signing-secret";

    public static string CompletionsPath(string accountId) => AccountPath(accountId) + "/survey-completions";

    public static string LogPath(string accountId, string? query = null) =>
        AccountPath(accountId) + "/webhook-log" + (string.IsNullOrEmpty(query) ? "" : "?" + query);

    public static string EntryPath(string accountId, string webhookId) => AccountPath(accountId) + "/webhook-log/" + webhookId;

    public static string ResendPath(string accountId, string webhookId) => EntryPath(accountId, webhookId) + "/resend";

    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    public static string BasicAuthorization(string username, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"));

    public static async Task<string> CreateAccountAsync(this SiloApp app, string plan = "Corporate", string? accountId = null)
    {
        accountId ??= NewAccountId();
        using var client = app.CreateClient();
        using var response = await client.PutAccountAsync(accountId, new JsonObject { ["name"] = "Account " + accountId, ["plan"] = plan });
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return accountId;
    }

    public static async Task<HttpResponseMessage> PutAccountAsync(this HttpClient client, string accountId, JsonObject account)
    {
        using var content = JsonContent(account.ToJsonString());
        return await client.PutAsync(AccountPath(accountId), content);
    }

    public static async Task<string> IssueKeyAsync(this SiloApp app, string accountId)
    {
        using var client = app.CreateClient();
        using var response = await client.PostAsync(KeysPath(accountId), content: null);
        await AssertStatusAsync(response, HttpStatusCode.Created);
        var key = (await ReadJsonAsync(response)).GetProperty("key").GetString();
        Assert.False(string.IsNullOrEmpty(key), "The issued key is empty.");
        return key!;
    }

    /// <summary>A settings body; members whose argument is null are left out.</summary>
    public static JsonObject Settings(string? url, string? username = null, string? password = null, bool enabled = true, bool serviceNowWrapper = false)
    {
        var settings = new JsonObject { ["enabled"] = enabled, ["serviceNowWrapper"] = serviceNowWrapper };
        if (url is not null)
        {
            settings["url"] = url;
        }

        if (username is not null)
        {
            settings["username"] = username;
        }

        if (password is not null)
        {
            settings["password"] = password;
        }

        return settings;
    }

    public static async Task<HttpResponseMessage> PutSettingsAsync(this HttpClient client, string accountId, JsonObject settings)
    {
        using var content = JsonContent(settings.ToJsonString());
        return await client.PutAsync(SettingsPath(accountId), content);
    }

    /// <summary>Stores settings with the system key, requires a 200, and returns the settings as answered.</summary>
    public static async Task<JsonElement> SetSettingsAsync(this SiloApp app, string accountId, JsonObject settings)
    {
        using var client = app.CreateClient();
        using var response = await client.PutSettingsAsync(accountId, settings);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return await ReadJsonAsync(response);
    }

    /// <summary>The article's sample completion with the given response id.</summary>
    public static JsonObject Completion(string responseId, string listeningPost = "Transactional", int overall = 9) => new()
    {
        ["Listening_Post"] = listeningPost,
        ["Response_ID"] = responseId,
        ["Response_Datetime_UTC"] = "2021-07-29 07:50:52",
        ["Ticket_ID"] = "INC123456",
        ["Support_Group_Code"] = "SDESK",
        ["Support_Group_Name"] = "Service Desk",
        ["Agent_ID"] = "adam.agent",
        ["Segment_Code"] = "NZ",
        ["Segment_Name"] = "New Zealand",
        ["Segment_2_Code"] = "NONE",
        ["Segment_2_Name"] = "No Segment",
        ["Customer"] = "carole.customer",
        ["Overall"] = overall,
        ["Selected_Factors"] = new JsonArray("Responsiveness"),
        ["Comments"] = "You guys rock!",
        ["Survey_Description"] = "Survey for DemoCorp",
        ["Survey_Language"] = "English",
    };

    public static async Task<HttpResponseMessage> PostCompletionAsync(this HttpClient client, string accountId, JsonNode completion)
    {
        using var content = JsonContent(completion.ToJsonString());
        return await client.PostAsync(CompletionsPath(accountId), content);
    }

    /// <summary>Posts a completion with the system key, requires a 202, and returns its well-formed webhookId.</summary>
    public static async Task<string> PostAcceptedCompletionAsync(this SiloApp app, string accountId, JsonNode completion)
    {
        using var client = app.CreateClient();
        using var response = await client.PostCompletionAsync(accountId, completion);
        await AssertStatusAsync(response, HttpStatusCode.Accepted);
        var webhookId = (await ReadJsonAsync(response)).GetProperty("webhookId").GetString();
        Assert.Matches("^[0-9a-f]{13}$", webhookId);
        return webhookId!;
    }

    /// <summary>
    /// A Corporate (or <paramref name="plan"/>) account with an issued key, webhooks on to a fresh
    /// receiver path that answers 200, and one triggered webhook.
    /// </summary>
    public static async Task<ApiTestAccount> CreateWebhookAccountAsync(this SiloAppFixture fixture, string plan = "Corporate")
    {
        var accountId = await fixture.App.CreateAccountAsync(plan);
        var key = await fixture.App.IssueKeyAsync(accountId);
        var path = ReceiverPathFor(accountId);
        await fixture.App.SetSettingsAsync(accountId, Settings(fixture.Receiver.UrlFor(path)));
        var webhookId = await fixture.App.PostAcceptedCompletionAsync(accountId, Completion(NewResponseId()));
        return new ApiTestAccount(accountId, key, path, webhookId);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return await ReadJsonAsync(response);
    }

    public static async Task AssertStatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected} {expected}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        }
    }

    /// <summary>Requires <paramref name="status"/> and RFC 9457 problem details with that status and a non-empty detail.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        await AssertStatusAsync(response, status);
        return await AssertProblemShapeAsync(response);
    }

    /// <summary>Requires problem details whose <c>status</c> matches the response's and whose <c>detail</c> is not empty.</summary>
    public static async Task<JsonElement> AssertProblemShapeAsync(HttpResponseMessage response)
    {
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response);
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()),
            $"The problem has no detail: {problem}");
        return problem;
    }

    /// <summary>Requires a 400 problem that names <paramref name="field"/> in its <c>detail</c> and in <c>errors</c>.</summary>
    public static async Task<JsonElement> AssertInvalidAsync(HttpResponseMessage response, string field)
    {
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(field, Detail(problem), StringComparison.Ordinal);
        Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object && errors.TryGetProperty(field, out _),
            $"The problem's errors do not name '{field}': {problem}");
        return problem;
    }

    public static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString() ?? "";

    public static IReadOnlyList<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    public static string Text(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static DateTimeOffset Time(this JsonElement element, string name) =>
        DateTimeOffset.Parse(element.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>Every item of the log for <paramref name="query"/>, following cursors.</summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadWholeLogAsync(this HttpClient client, string accountId, string query = "")
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var separator = query.Length > 0 ? "&" : "";
            var page = await client.GetJsonAsync(LogPath(accountId, query + (cursor is null ? "" : separator + "cursor=" + Uri.EscapeDataString(cursor))));
            items.AddRange(Items(page));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return items;
    }

    /// <summary>Polls the single log entry until <paramref name="until"/> holds, failing after <see cref="Deadline"/>.</summary>
    public static Task<JsonElement> WaitForEntryAsync(this HttpClient client, string accountId, string webhookId, Func<JsonElement, bool> until) =>
        Eventually.ReachAsync(() => client.GetJsonAsync(EntryPath(accountId, webhookId)), until, $"webhook {webhookId} reaches the expected state", Deadline);

    public static Task<JsonElement> WaitForStatusAsync(this HttpClient client, string accountId, string webhookId, string status) =>
        client.WaitForEntryAsync(accountId, webhookId, entry => entry.Text("status") == status);

    /// <summary>Requires that <paramref name="path"/> holds exactly <paramref name="expected"/> requests for the whole of <paramref name="window"/>.</summary>
    public static async Task AssertRequestCountStaysAsync(this TestReceiver receiver, string path, int expected, TimeSpan window)
    {
        var end = DateTime.UtcNow + window;
        do
        {
            Assert.Equal(expected, receiver.RequestsTo(path).Count);
            await Task.Delay(_pollInterval);
        }
        while (DateTime.UtcNow < end);

        Assert.Equal(expected, receiver.RequestsTo(path).Count);
    }
}
