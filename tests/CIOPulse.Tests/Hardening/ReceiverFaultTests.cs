using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CIOPulse.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CIOPulse.Tests.Hardening;

/// <summary>
/// Receivers that misbehave in every way a socket allows, all at once against one silo process:
/// each attempt ends recorded with its class (or, for the endless 200s, a success cut at 64 KiB),
/// the schedule goes on, no destination gets more than its limit of connections, and the process's
/// memory, threads and sockets stay bounded.
/// </summary>
public sealed class ReceiverFaultTests(ITestOutputHelper output)
{
    private const int Limit = 4;
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)];
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    private sealed record Fault(string Name, FaultyReceiver Receiver, string Url, int Webhooks, Action<JsonElement> Check,
        Action<IReadOnlyCollection<JsonElement>>? CheckAll = null);

    [Fact]
    public async Task Every_receiver_fault_ends_as_a_classified_attempt_and_the_silo_stays_bounded()
    {
        await using var cluster = new ProcessCluster(connectionString: null, RetryDelays, AttemptTimeout, new Dictionary<string, string>
        {
            ["Webhooks:MaxRequestsPerDestination"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await cluster.StartSilosAsync(1);
        var silo = cluster.Silos[0];
        await using var healthy = await TestReceiver.StartAsync();
        await using var stolen = FaultyReceiver.NeverAnswering();

        // Warm: one delivery through the whole path before the baseline is taken.
        var warm = await cluster.CreateAccountAsync(healthy.UrlFor("/warm"));
        using (var client = silo.CreateClient())
        {
            var (_, warmId, _) = await ProcessCluster.PostCompletionAsync(client, warm, "warm");
            await cluster.WaitForAllAsync(warm, [warmId!], e => e.GetProperty("status").GetString() == "Succeeded", Generous);
        }

        var baseline = silo.Resources();
        var faults = new List<Fault>();
        try
        {
            faults.AddRange(
            [
                Failing("accepts and never answers", FaultyReceiver.NeverAnswering(), 4, "Timeout"),
                Failing("a hanging receiver with 12 webhooks at once (over the limit of 4)", FaultyReceiver.NeverAnswering(), 12, "Timeout", "DestinationBusy"),
                Failing("answers after the timeout", FaultyReceiver.Start(AnswersLate), 4, "Timeout"),
                Failing("resets mid-response", FaultyReceiver.Start(ResetsMidResponse), 4, "ConnectionClosed"),
                Failing("closes before the headers", FaultyReceiver.Start(ClosesBeforeHeaders), 4, "ConnectionClosed"),
                Failing("drips the body at 1 byte/s", FaultyReceiver.Start(Drips), 4, "Timeout"),
                Failing("a TLS handshake to a plain socket", FaultyReceiver.Start(PlainTextToTls), 4, "Tls", scheme: "https"),
                Failing("a 302 to a private address", FaultyReceiver.AlwaysAnswering($"HTTP/1.1 302 Found\r\nLocation: {stolen.Url()}\r\nContent-Length: 0\r\n\r\n"), 4, "Redirect"),
                CutAt64KiB("200 with a 50 MB body", FaultyReceiver.Start(FiftyMegabytes)),
                CutAt64KiB("200 with a chunked body that never ends", FaultyReceiver.Start(EndlessChunks)),
            ]);

            var peak = baseline;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = peak.Max(silo.Resources());
                    await Task.Delay(200);
                }
            });

            var posted = new List<(Fault Fault, string Account, List<string> Webhooks)>();
            using (var client = silo.CreateClient())
            {
                foreach (var fault in faults)
                {
                    var account = await cluster.CreateAccountAsync(fault.Url);
                    var ids = await Task.WhenAll(Enumerable.Range(0, fault.Webhooks).Select(async i =>
                    {
                        var (status, id, body) = await ProcessCluster.PostCompletionAsync(client, account, $"r-{i}");
                        Assert.True(status == HttpStatusCode.Accepted, body);
                        return id!;
                    }));
                    posted.Add((fault, account, [.. ids]));
                }
            }

            foreach (var (fault, account, webhooks) in posted)
            {
                var finished = await cluster.WaitForAllAsync(account, webhooks, e => e.GetProperty("status").GetString() != "InProgress", Generous);
                foreach (var entry in finished.Values)
                {
                    try
                    {
                        fault.Check(entry);
                    }
                    catch (Exception e)
                    {
                        throw new Xunit.Sdk.XunitException($"Fault '{fault.Name}': {e.Message}\n{entry}");
                    }
                }

                fault.CheckAll?.Invoke([.. finished.Values]);

                Assert.True(fault.Receiver.MaxOpen <= Limit, $"'{fault.Name}' had {fault.Receiver.MaxOpen} connections open at once (limit {Limit})");
                output.WriteLine($"{fault.Name}: {webhooks.Count} webhooks, {fault.Receiver.Connections} connections, at most {fault.Receiver.MaxOpen} at once; attempt 1: {Describe(finished.Values.First())}");
            }

            await sampling.CancelAsync();
            await sampler;
            output.WriteLine($"baseline {baseline}; peak {peak}");
            Assert.Equal(0, stolen.Connections);
            Assert.True(peak.RssBytes - baseline.RssBytes < 200L * 1024 * 1024, $"RSS grew from {baseline} to {peak}");
            Assert.True(peak.Threads - baseline.Threads < 40, $"threads grew from {baseline} to {peak}");
            Assert.True(peak.Sockets - baseline.Sockets <= faults.Count * Limit + 20, $"sockets grew from {baseline} to {peak}");

            // The silo still delivers at once afterwards.
            using (var client = silo.CreateClient())
            {
                var (_, afterId, _) = await ProcessCluster.PostCompletionAsync(client, warm, "after");
                await cluster.WaitForAllAsync(warm, [afterId!], e => e.GetProperty("status").GetString() == "Succeeded", TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            foreach (var fault in faults)
            {
                await fault.Receiver.DisposeAsync();
            }
        }
    }

    private static Fault Failing(string name, FaultyReceiver receiver, int webhooks, string failure, string? alsoAllowed = null, string scheme = "http") =>
        new(name, receiver, receiver.Url(scheme), webhooks, entry =>
        {
            Assert.Equal("Failed", entry.GetProperty("status").GetString());
            var attempts = entry.GetProperty("attemptHistory").EnumerateArray().ToList();
            Assert.Equal(5, attempts.Count);
            Assert.Equal(5, entry.GetProperty("attempts").GetInt32());
            foreach (var attempt in attempts)
            {
                var recorded = attempt.GetProperty("failure").GetString();
                Assert.True(recorded == failure || recorded == alsoAllowed, $"attempt {attempt.GetProperty("number")} was {recorded}, not {failure}");
                var hasAnswer = attempt.GetProperty("responseCode").ValueKind == JsonValueKind.Number;
                Assert.True(hasAnswer || !string.IsNullOrEmpty(attempt.GetProperty("error").GetString()), "a failure without an answer says what went wrong");
            }

        },
        // Over the limit, which webhook gets a slot in which round is a race: one webhook may find the
        // destination busy on every attempt. What holds is that the slots were used: at least one
        // round's worth of attempts reached the receiver and ended as the expected failure.
        alsoAllowed is null ? null : entries =>
        {
            var reached = entries.Sum(entry => entry.GetProperty("attemptHistory").EnumerateArray().Count(a => a.GetProperty("failure").GetString() == failure));
            Assert.True(reached >= Limit, $"only {reached} attempts ended as {failure}, fewer than the {Limit} slots: the slots were never all used");
        });

    private static Fault CutAt64KiB(string name, FaultyReceiver receiver) =>
        new(name, receiver, receiver.Url(), 4, entry =>
        {
            Assert.Equal("Succeeded", entry.GetProperty("status").GetString());
            var attempt = Assert.Single(entry.GetProperty("attemptHistory").EnumerateArray());
            Assert.Equal(200, attempt.GetProperty("responseCode").GetInt32());
            Assert.True(attempt.GetProperty("responseTruncated").GetBoolean());
            Assert.Equal(64 * 1024, attempt.GetProperty("response").GetString()!.Length);
        });

    private static string Describe(JsonElement entry)
    {
        var first = entry.GetProperty("attemptHistory")[0];
        return $"{first.GetProperty("failure")} {first.GetProperty("responseCode")} {first.GetProperty("durationMs")} ms: {first.GetProperty("error")}";
    }

    private static async Task AnswersLate(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        await Task.Delay(AttemptTimeout + TimeSpan.FromMilliseconds(500), ct);
        await FaultyReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", ct);
        await FaultyReceiver.HoldUntilClosedAsync(stream, ct);
    }

    private static async Task ResetsMidResponse(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        await FaultyReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + new string('x', 100), ct);
        await Task.Delay(100, ct);
        socket.LingerState = new LingerOption(true, 0); // close with RST
        socket.Close();
    }

    private static async Task ClosesBeforeHeaders(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        socket.Shutdown(SocketShutdown.Both);
    }

    private static async Task Drips(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        await FaultyReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", ct);
        var closed = FaultyReceiver.HoldUntilClosedAsync(stream, ct);
        for (var i = 0; i < 100 && !closed.IsCompleted; i++)
        {
            await FaultyReceiver.WriteAsync(stream, "x", ct);
            await Task.WhenAny(closed, Task.Delay(1000, ct));
        }
    }

    private static async Task PlainTextToTls(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        var hello = new byte[4096];
        if (await stream.ReadAsync(hello, ct) > 0)
        {
            await FaultyReceiver.WriteAsync(stream, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ct);
        }
    }

    private static async Task FiftyMegabytes(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        const int total = 50 * 1024 * 1024;
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        await FaultyReceiver.WriteAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {total}\r\n\r\n", ct);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        for (var sent = 0; sent < total; sent += chunk.Length)
        {
            await stream.WriteAsync(chunk, ct);
        }
    }

    private static async Task EndlessChunks(Socket socket, NetworkStream stream, CancellationToken ct)
    {
        await FaultyReceiver.ReadRequestAsync(stream, ct);
        await FaultyReceiver.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n", ct);
        var chunk = System.Text.Encoding.ASCII.GetBytes("1000\r\n" + new string('b', 0x1000) + "\r\n");
        while (!ct.IsCancellationRequested)
        {
            await stream.WriteAsync(chunk, ct);
        }
    }
}
