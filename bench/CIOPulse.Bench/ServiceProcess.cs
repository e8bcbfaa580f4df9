using System.Diagnostics;
using System.Globalization;

namespace CIOPulse.Bench;

/// <summary>The service under test as its own process (the built silo), so its CPU time and peak RSS can be read from /proc.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServiceProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    /// <param name="processors">
    /// What the service's runtime takes as its processor count (<c>DOTNET_PROCESSOR_COUNT</c>), as
    /// it would from a container's CPU quota; null: the machine's.
    /// </param>
    public static async Task<ServiceProcess> StartAsync(string siloDll, IReadOnlyDictionary<string, string> settings, int httpPort, int? processors = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (processors is { } count)
        {
            start.Environment["DOTNET_PROCESSOR_COUNT"] = count.ToString(CultureInfo.InvariantCulture);
        }

        start.ArgumentList.Add(siloDll);
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.ArgumentList.Add($"--urls=http://127.0.0.1:{httpPort}");
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo");
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{httpPort}/"));
        process.OutputDataReceived += (_, e) => service.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => service.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("silo exited:\n" + string.Join('\n', service.Tail()));
            }

            try
            {
                using var response = await http.GetAsync(new Uri(service.BaseUri, "health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("silo not ready:\n" + string.Join('\n', service.Tail()));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>User + system CPU seconds so far (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / BenchSupport.ClockTicksPerSecond;
    }

    /// <summary>Peak resident set size (VmHWM) in bytes.</summary>
    public long PeakRssBytes() => StatusKilobytes("VmHWM:") * 1024;

    public long RssBytes() => StatusKilobytes("VmRSS:") * 1024;

    public IReadOnlyList<string> Tail() { lock (_output) { return _output.TakeLast(30).ToList(); } }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private long StatusKilobytes(string field)
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 2000)
            {
                _output.RemoveRange(0, 1000);
            }
        }
    }
}
