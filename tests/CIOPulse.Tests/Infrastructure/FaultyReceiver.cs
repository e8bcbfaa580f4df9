using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// A receiver on a raw loopback socket that misbehaves as a test says: the faults an HTTP server
/// library will not produce (no answer, a reset halfway through the body, an endless body, a byte a
/// second). It counts connections, and the most it ever had open at once.
/// </summary>
/// <remarks>
/// The receiver learns of a close only when its read returns, a moment after the sender has closed
/// and may already have opened the next connection; <see cref="MaxOpen"/> therefore counts each
/// connection as closed <see cref="CloseNoticeAllowance"/> before the receiver noticed.
/// </remarks>
public sealed class FaultyReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Socket, NetworkStream, CancellationToken, Task> _behaviour;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private static readonly TimeSpan CloseNoticeAllowance = TimeSpan.FromMilliseconds(100);
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<(TimeSpan Opened, TimeSpan? Closed)> _spans = [];
    private int _connections;

    private FaultyReceiver(Func<Socket, NetworkStream, CancellationToken, Task> behaviour)
    {
        _behaviour = behaviour;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>The most connections open at one time (see the remarks).</summary>
    public int MaxOpen
    {
        get
        {
            var now = _clock.Elapsed;
            List<(TimeSpan At, int Change)> edges;
            lock (_spans)
            {
                edges = _spans.SelectMany(span =>
                {
                    var closed = span.Closed is { } c ? (c - CloseNoticeAllowance > span.Opened ? c - CloseNoticeAllowance : span.Opened) : now;
                    return new[] { (span.Opened, 1), (closed, -1) };
                }).ToList();
            }

            // Closes before opens at the same instant.
            var open = 0;
            var max = 0;
            foreach (var (_, change) in edges.OrderBy(e => e.At).ThenBy(e => e.Change))
            {
                open += change;
                max = Math.Max(max, open);
            }

            return max;
        }
    }

    public string Url(string scheme = "http") => $"{scheme}://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/hook";

    /// <summary>Starts a receiver that treats every connection with <paramref name="behaviour"/>.</summary>
    public static FaultyReceiver Start(Func<Socket, NetworkStream, CancellationToken, Task> behaviour) => new(behaviour);

    /// <summary>A receiver that reads each request and never answers, holding the connection until the sender closes it.</summary>
    public static FaultyReceiver NeverAnswering() => Start(async (_, stream, ct) =>
    {
        await ReadRequestAsync(stream, ct);
        await HoldUntilClosedAsync(stream, ct);
    });

    /// <summary>A receiver that answers every request on a connection (keep-alive) with the same raw <paramref name="response"/>.</summary>
    public static FaultyReceiver AlwaysAnswering(string response) => Start(async (_, stream, ct) =>
    {
        while (await ReadRequestAsync(stream, ct))
        {
            await WriteAsync(stream, response, ct);
        }
    });

    /// <summary>Reads one request (headers, then a Content-Length body) so the sender's write completes; false when the peer closed first.</summary>
    public static async Task<bool> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var received = new List<byte>();
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        var headers = Encoding.ASCII.GetString(received.ToArray(), 0, headerEnd);
        var length = headers.Split("\r\n")
            .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(h => int.Parse(h["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var bodyRead = received.Count - (headerEnd + 4);
        while (bodyRead < length)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return false;
            }

            bodyRead += read;
        }

        return true;
    }

    /// <summary>Waits until the peer closes the connection (or the receiver stops), reading and dropping what it sends.</summary>
    public static async Task HoldUntilClosedAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024];
        while (await stream.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public static Task WriteAsync(NetworkStream stream, string text, CancellationToken cancellationToken) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(text), cancellationToken).AsTask();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private static int IndexOfHeaderEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var socket = await _listener.AcceptSocketAsync(_stopping.Token);
            Interlocked.Increment(ref _connections);
            int index;
            lock (_spans)
            {
                index = _spans.Count;
                _spans.Add((_clock.Elapsed, null));
            }

            _ = ServeAsync(socket, index);
        }
    }

    private async Task ServeAsync(Socket socket, int index)
    {
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await _behaviour(socket, stream, _stopping.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The sender gave up or the receiver is stopping: either is part of the fault.
        }
        finally
        {
            lock (_spans)
            {
                _spans[index] = (_spans[index].Opened, _clock.Elapsed);
            }

            socket.Dispose();
        }
    }
}
