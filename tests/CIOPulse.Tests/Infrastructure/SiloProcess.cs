using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A real silo process (the built <c>CIOPulse.Silo</c>, as an operator runs it) with its own HTTP,
/// silo and gateway ports; killed with SIGKILL, stopped with SIGTERM. Its console output is kept so a
/// test can see what that silo did.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private SiloProcess(string name, Process process, Uri baseUri)
    {
        Name = name;
        _process = process;
        BaseUri = baseUri;
    }

    public string Name { get; }

    public Uri BaseUri { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process's resident memory, threads and open sockets now, from <c>/proc</c>.</summary>
    public ProcessResources Resources() => ProcessResources.Of(_process.Id);

    public static async Task<SiloProcess> StartAsync(string name, IReadOnlyDictionary<string, string> settings, TimeSpan? readyTimeout = null)
    {
        var httpPort = FreePorts.Next();
        var values = new Dictionary<string, string>(settings)
        {
            ["urls"] = $"http://127.0.0.1:{httpPort}",
            ["Orleans:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:AdvertisedIPAddress"] = "127.0.0.1",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        };
        values.TryAdd("Logging:LogLevel:Default", "Warning");
        values.TryAdd("Logging:LogLevel:CIOPulse", "Information");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CIOPulse.Silo.dll"));
        foreach (var (key, value) in values)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo process.");
        var silo = new SiloProcess(name, process, new Uri($"http://127.0.0.1:{httpPort}/"));
        process.OutputDataReceived += (_, e) => silo.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo.WaitUntilReadyAsync(readyTimeout ?? TimeSpan.FromSeconds(90));
        return silo;
    }

    /// <summary>The silo's console output so far, a line per log entry.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <summary>Whether this silo's log shows an attempt for the webhook.</summary>
    public bool Attempted(string webhookId) => _output.Any(line => line.Contains($"Webhook {webhookId}: attempt", StringComparison.Ordinal));

    /// <summary>SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM, then wait for a graceful exit (SIGKILL after <paramref name="timeout"/>).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term!.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public HttpClient CreateClient(string? apiKey = SiloApp.SystemKey)
    {
        var client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(40) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.HoldsAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"Silo {Name} exited with {_process.ExitCode}:\n{string.Join('\n', _output.TakeLast(40))}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri("health/ready", UriKind.Relative));
                    return response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // not listening yet
                }
            },
            $"silo {Name} is ready (output: {string.Join(" | ", _output.TakeLast(5))})",
            timeout,
            TimeSpan.FromMilliseconds(200));
    }
}
