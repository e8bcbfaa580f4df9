using System.Globalization;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>What a process holds, read from <c>/proc/PID</c>: resident memory, threads, open sockets.</summary>
public sealed record ProcessResources(long RssBytes, int Threads, int Sockets)
{
    public static ProcessResources Of(int processId)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        var sockets = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:", StringComparison.Ordinal))
                {
                    sockets++;
                }
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }

        return new ProcessResources(rss, threads, sockets);
    }

    /// <summary>The larger of each measure.</summary>
    public ProcessResources Max(ProcessResources other) =>
        new(Math.Max(RssBytes, other.RssBytes), Math.Max(Threads, other.Threads), Math.Max(Sockets, other.Sockets));

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"RSS {RssBytes / (1024 * 1024)} MiB, {Threads} threads, {Sockets} sockets");
}
