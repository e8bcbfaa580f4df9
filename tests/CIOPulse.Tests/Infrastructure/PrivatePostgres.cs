using System.Diagnostics;
using System.Globalization;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own (through <c>scripts/postgres.sh</c>), for tests that
/// restart the database and must not disturb the shared one other tests use.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly int _port;

    private PrivatePostgres(string dataDirectory, int port, string connectionString)
    {
        _dataDirectory = dataDirectory;
        _port = port;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        var data = Path.Combine(Path.GetTempPath(), "ciopulse-private-pg-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePorts.Next();
        var connectionString = (await ScriptAsync("start", data, port)).Trim();
        return new PrivatePostgres(data, port, connectionString);
    }

    /// <summary>Stops the server and removes its data, waiting (for a process-exit handler).</summary>
    public void Stop()
    {
        ScriptAsync("stop", _dataDirectory, _port).GetAwaiter().GetResult();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every open session is cut, then the server comes back.</summary>
    public Task RestartAsync() => ScriptAsync("restart", _dataDirectory, _port);

    public async ValueTask DisposeAsync()
    {
        await ScriptAsync("stop", _dataDirectory, _port);
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static async Task<string> ScriptAsync(string command, string data, int port)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(RepositoryPaths.Root, "scripts", "postgres.sh"), command, data, port.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"postgres.sh {command} failed: {await errors}");
        }

        return await output;
    }
}
