using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// Silo processes on one PostgreSQL database with real ADO.NET membership: the durable product as
/// an operator runs it, for the tests that kill silos, restart the cluster or the database. Without
/// a connection string, one process in embedded mode (for tests that watch the process itself).
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly List<SiloProcess> _silos = [];
    private int _started;

    public ProcessCluster(string? connectionString, IReadOnlyList<TimeSpan> retryDelays, TimeSpan attemptTimeout, IReadOnlyDictionary<string, string>? settings = null)
    {
        _settings = new Dictionary<string, string>
        {
            ["Api:SystemKey"] = SiloApp.SystemKey,
            ["Secrets:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Orleans:ClusterId"] = "proc-" + Guid.NewGuid().ToString("N")[..8],
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:AttemptTimeout"] = attemptTimeout.ToString(),
        };
        for (var i = 0; i < retryDelays.Count; i++)
        {
            _settings[$"Webhooks:RetryDelays:{i}"] = retryDelays[i].ToString();
        }

        if (connectionString is not null)
        {
            _settings["ConnectionStrings:Postgres"] = connectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _settings[key] = value;
        }
    }

    public IReadOnlyList<SiloProcess> Silos => _silos;

    public IEnumerable<SiloProcess> Running => _silos.Where(s => !s.HasExited);

    /// <summary>Starts <paramref name="count"/> more silos, one after the other.</summary>
    public async Task StartSilosAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _silos.Add(await SiloProcess.StartAsync($"silo-{_started++}", _settings));
        }
    }

    public async Task<string> CreateAccountAsync(string url)
    {
        var accountId = "p-" + Guid.NewGuid().ToString("N")[..12];
        using var client = Running.First().CreateClient();
        (await client.PutAsJsonAsync($"api/v1/accounts/{accountId}", new { name = "Cluster test", plan = "Enterprise" })).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"api/v1/accounts/{accountId}/webhook-settings", new { enabled = true, url })).EnsureSuccessStatusCode();
        return accountId;
    }

    /// <summary>Posts a completion through a silo's API client; returns the status and the webhook id (if any).</summary>
    public static async Task<(HttpStatusCode Status, string? WebhookId, string Body)> PostCompletionAsync(HttpClient client, string accountId, string responseId)
    {
        var (status, webhookId, body, _) = await PostCompletionWithRetryAfterAsync(client, accountId, responseId);
        return (status, webhookId, body);
    }

    /// <summary>As <see cref="PostCompletionAsync"/>, with the answer's Retry-After (null when it has none).</summary>
    public static async Task<(HttpStatusCode Status, string? WebhookId, string Body, TimeSpan? RetryAfter)> PostCompletionWithRetryAfterAsync(HttpClient client, string accountId, string responseId)
    {
        using var response = await client.PostAsJsonAsync($"api/v1/accounts/{accountId}/survey-completions", new Dictionary<string, object> { ["Response_ID"] = responseId, ["Overall"] = 7 });
        var body = await response.Content.ReadAsStringAsync();
        var retryAfter = response.Headers.RetryAfter?.Delta;
        string? webhookId = null;
        if (response.IsSuccessStatusCode)
        {
            using var json = JsonDocument.Parse(body);
            webhookId = json.RootElement.GetProperty("webhookId").GetString();
        }

        return (response.StatusCode, webhookId, body, retryAfter);
    }

    /// <summary>The log entry through any running silo, or null while none answers.</summary>
    public async Task<JsonElement?> EntryAsync(string accountId, string webhookId)
    {
        foreach (var silo in Running)
        {
            try
            {
                using var client = silo.CreateClient();
                client.Timeout = TimeSpan.FromSeconds(10);
                using var response = await client.GetAsync(new Uri($"api/v1/accounts/{accountId}/webhook-log/{webhookId}", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    return json.RootElement.Clone();
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // That silo is busy taking over or going away; ask the next one.
            }
        }

        return null;
    }

    /// <summary>Polls until every webhook's entry satisfies <paramref name="done"/>; returns the entries.</summary>
    public async Task<Dictionary<string, JsonElement>> WaitForAllAsync(string accountId, IEnumerable<string> webhookIds, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var pending = new HashSet<string>(webhookIds);
        var finished = new Dictionary<string, JsonElement>();
        await Eventually.ReachAsync(
            async () =>
            {
                foreach (var id in pending.ToList())
                {
                    if (await EntryAsync(accountId, id) is { } entry && done(entry))
                    {
                        finished[id] = entry;
                        pending.Remove(id);
                    }
                }

                return pending.Count;
            },
            unfinished => unfinished == 0,
            "every webhook finishes",
            timeout,
            TimeSpan.FromMilliseconds(250),
            unfinished => $"{unfinished} unfinished, e.g. {pending.FirstOrDefault()}");
        return finished;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }
    }
}
