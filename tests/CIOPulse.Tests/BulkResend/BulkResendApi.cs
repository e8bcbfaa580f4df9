using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.BulkResend;

/// <summary>The bulk resend tests' vocabulary, over the real HTTP endpoints.</summary>
internal static class BulkResendApi
{
    public static string BatchPath(string accountId) => AccountPath(accountId) + "/webhook-log/resend-batch";

    public static string OperationPath(string accountId, string operationId) => BatchPath(accountId) + "/" + operationId;

    public static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A request over the last hour (and the next, for clock slack), with <paramref name="extra"/> members.</summary>
    public static JsonObject AroundNow(params (string Name, JsonNode? Value)[] extra)
    {
        var body = new JsonObject
        {
            ["lastActivityFrom"] = Iso(DateTime.UtcNow.AddHours(-1)),
            ["lastActivityUntil"] = Iso(DateTime.UtcNow.AddHours(1)),
        };
        foreach (var (name, value) in extra)
        {
            body[name] = value;
        }

        return body;
    }

    public static async Task<HttpResponseMessage> PostBatchAsync(this HttpClient client, string accountId, JsonObject body)
    {
        using var content = JsonContent(body.ToJsonString());
        return await client.PostAsync(BatchPath(accountId), content);
    }

    public static async Task<long> DryRunAsync(this HttpClient client, string accountId, JsonObject body)
    {
        body["dryRun"] = true;
        using var response = await client.PostBatchAsync(accountId, body);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return (await ReadJsonAsync(response)).GetProperty("count").GetInt64();
    }

    /// <summary>Starts an operation (requires the 202 and its Location); returns its id.</summary>
    public static async Task<string> StartBatchAsync(this HttpClient client, string accountId, JsonObject body)
    {
        using var response = await client.PostBatchAsync(accountId, body);
        await AssertStatusAsync(response, HttpStatusCode.Accepted);
        var started = await ReadJsonAsync(response);
        var id = started.Text("id");
        Assert.Matches("^[0-9a-f]{24}$", id);
        Assert.Equal("Running", started.Text("status"));
        Assert.EndsWith("/" + OperationPath(accountId, id), response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        return id;
    }

    public static Task<JsonElement> WaitForBatchAsync(this HttpClient client, string accountId, string operationId, Func<JsonElement, bool> until, TimeSpan? timeout = null) =>
        Eventually.ReachAsync(() => client.GetJsonAsync(OperationPath(accountId, operationId)), until, $"bulk resend {operationId} reaches the expected state",
            timeout ?? TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

    public static Task<JsonElement> WaitForFinishAsync(this HttpClient client, string accountId, string operationId, TimeSpan? timeout = null) =>
        client.WaitForBatchAsync(accountId, operationId, p => p.Text("status") != "Running", timeout);

    public static async Task<JsonElement> CancelBatchAsync(this HttpClient client, string accountId, string operationId)
    {
        using var response = await client.PostAsync(OperationPath(accountId, operationId) + "/cancel", null);
        await AssertStatusAsync(response, HttpStatusCode.OK);
        return await ReadJsonAsync(response);
    }

    /// <summary>The attempts of a log entry that the operation made.</summary>
    public static IReadOnlyList<JsonElement> OperationAttempts(JsonElement entry, string operationId) =>
        [.. entry.GetProperty("attemptHistory").EnumerateArray()
            .Where(a => a.TryGetProperty("bulkResendId", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == operationId)];

    /// <summary>Requires the counts to add up: done = succeeded + failed, at most total.</summary>
    public static void AssertCountsAddUp(JsonElement progress)
    {
        var done = progress.GetProperty("done").GetInt32();
        Assert.Equal(done, progress.GetProperty("succeeded").GetInt32() + progress.GetProperty("failed").GetInt32());
        Assert.InRange(done, 0, progress.GetProperty("total").GetInt32());
    }
}
