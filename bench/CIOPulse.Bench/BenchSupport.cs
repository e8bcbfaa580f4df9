using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace CIOPulse.Bench;

/// <summary>What every benchmark needs: posting a completion, a free port, a one-off SQL statement.</summary>
public static class BenchSupport
{
    /// <summary>What /proc counts CPU time in (USER_HZ, 100 on Linux).</summary>
    public const double ClockTicksPerSecond = 100;

    /// <summary>
    /// A completion as users send them (issue 15): two factors, and Comments holding quotes, a line
    /// break, accents, a dash and an emoji, all of which the payload must escape or carry as UTF-8.
    /// </summary>
    public static string CompletionBody(string responseId, int overall = 9) =>
        $"{{\"Response_ID\":\"{responseId}\",\"Overall\":{overall},\"Selected_Factors\":[\"Speed\",\"Effort\"],\"Ticket_ID\":\"INC{responseId}\"," +
        "\"Comments\":\"Résolu en 5 min — \\\"super\\\" service,\\nmerci! Kia ora 🙂\"}";

    /// <summary>Posts a realistic completion (<see cref="CompletionBody"/>); returns the status (0 when no answer came) and the webhook id of a 202.</summary>
    public static async Task<(int Status, string? WebhookId)> PostCompletionAsync(HttpClient http, string accountId, string responseId)
    {
        using var content = new StringContent(CompletionBody(responseId), Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.PostAsync(new Uri($"api/v1/accounts/{accountId}/survey-completions", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                return ((int)response.StatusCode, null);
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            return (202, json.RootElement.GetProperty("webhookId").GetString());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, null);
        }
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// A fresh database for one benchmark run on the server given by <c>--pg</c> (or
/// <c>CIOPULSE_BENCH_POSTGRES</c>), dropped again on dispose unless <see cref="Keep"/> is set.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private BenchDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Leave the database in place (for a look afterwards).</summary>
    public bool Keep { get; set; }

    public static async Task<BenchDatabase> CreateAsync(Dictionary<string, string> options, string needs)
    {
        var admin = options.GetValueOrDefault("pg") ?? Environment.GetEnvironmentVariable("CIOPULSE_BENCH_POSTGRES")
            ?? throw new ArgumentException($"{needs} needs --pg CONNECTION_STRING (or CIOPULSE_BENCH_POSTGRES)");
        var database = new BenchDatabase(admin, "bench_" + Guid.NewGuid().ToString("N")[..12]);
        await BenchSupport.ExecuteAsync(admin, $"CREATE DATABASE {database.Name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (Keep)
        {
            Console.Error.WriteLine($"kept database {Name}");
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await BenchSupport.ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}
