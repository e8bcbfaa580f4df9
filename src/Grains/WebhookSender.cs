using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Makes one webhook POST through the pooled "webhooks" HttpClient: Basic auth when a username is
/// set, Standard Webhooks signature headers when the account signs (<see cref="WebhookSignature"/>;
/// none at all otherwise), no redirects, at most <c>Webhooks:MaxRequestsPerDestination</c> in flight to one destination,
/// the attempt timeout, and at most 64 KiB of the answer read. Whatever goes wrong during the
/// attempt ends as a classified failure, never as an exception (only the caller's own cancellation
/// propagates).
/// </summary>
public sealed class WebhookSender(
    IHttpClientFactory httpClientFactory, SecretProtector secrets, DestinationLimiter limiter, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    public const string HttpClientName = "webhooks";
    public const int MaxResponseBytes = 64 * 1024;
    private static readonly MediaTypeHeaderValue JsonUtf8 = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public async Task<AttemptOutcome> SendAsync(string accountId, string webhookId, DeliveryTarget target, string body, CancellationToken cancellationToken)
    {
        if (DestinationPolicy.ValidateUrlSyntax(target.Url, out var parsedUrl) is { } urlProblem)
        {
            return AttemptOutcome.Failure(AttemptFailure.NotSent, $"Webhook URL {urlProblem}.");
        }

        var url = parsedUrl!; // handed back whenever there is no problem

        string? authorization = null;
        if (!string.IsNullOrEmpty(target.Username))
        {
            var password = "";
            if (target.EncryptedPassword is { } encrypted
                && (password = secrets.TryUnprotect(encrypted, accountId)) is null)
            {
                return AttemptOutcome.Failure(AttemptFailure.NotSent, "The stored webhook password cannot be decrypted with any of Secrets:EncryptionKeys (was the key that encrypted it removed?). Set the password again.");
            }

            authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{target.Username}:{password}"));
        }

        List<byte[]>? signingKeys = null;
        foreach (var encrypted in target.SigningSecrets ?? [])
        {
            if (secrets.TryUnprotect(encrypted, WebhookSignature.ProtectionPurpose(accountId)) is not { } secret
                || WebhookSignature.KeyOf(secret) is not { } key)
            {
                return AttemptOutcome.Failure(AttemptFailure.NotSent, "A stored webhook signing secret cannot be decrypted with any of Secrets:EncryptionKeys (was the key that encrypted it removed?). Rotate the signing secret.");
            }

            (signingKeys ??= []).Add(key);
        }

        var timeout = options.Value.AttemptTimeout;
        using var lease = await WaitForSlotAsync(url, timeout, cancellationToken);
        if (lease is not { IsAcquired: true })
        {
            return AttemptOutcome.Failure(AttemptFailure.DestinationBusy, lease is null
                ? $"Not sent: {limiter.PermitLimit} requests to {url.Authority} were in flight and no slot came free within {Seconds(timeout)} s (Webhooks:MaxRequestsPerDestination)."
                : $"Not sent: {limiter.PermitLimit} requests to {url.Authority} were in flight and {limiter.QueueLimit} more waiting (Webhooks:MaxQueuedPerDestination).");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = JsonUtf8;
        request.Headers.TryAddWithoutValidation("X-CIOPulse-Webhook-Id", webhookId);
        if (authorization is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", authorization);
        }

        if (signingKeys is not null)
        {
            // Signed when the slot is held, just before sending: the timestamp is this attempt's own.
            var timestamp = WebhookSignature.Timestamp(timeProvider.GetUtcNow());
            request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, webhookId);
            request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader,
                WebhookSignature.Sign(signingKeys, webhookId, timestamp, Encoding.UTF8.GetBytes(body)));
        }

        // The attempt's own budget starts once it holds a slot: waiting is not the receiver's time.
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(timeout);
        var client = httpClientFactory.CreateClient(HttpClientName);
        int? status = null;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCancellation.Token);
            status = (int)response.StatusCode;
            var (text, truncated) = await ReadLimitedAsync(response.Content, attemptCancellation.Token);
            return AttemptOutcome.Answer(status.Value, text, truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Failure(AttemptFailure.Timeout, $"Timed out after {Seconds(timeout)} s without a complete response{After(status)}.");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A reset while the body is read surfaces as an IOException, not an HttpRequestException;
            // whatever it is, the attempt happened and is recorded.
            return AttemptOutcome.Failure(Classify(e), Describe(e) + After(status));
        }
    }

    /// <summary>A slot for a request to the URL's destination; null when none came free within the timeout.</summary>
    private async ValueTask<System.Threading.RateLimiting.RateLimitLease?> WaitForSlotAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // A free slot (the common case) is taken at once, without arming a timeout for the wait.
        var destination = DestinationLimiter.DestinationOf(url);
        var immediate = limiter.AttemptAcquire(destination);
        if (immediate.IsAcquired)
        {
            return immediate;
        }

        immediate.Dispose();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await limiter.AcquireAsync(destination, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    private static string After(int? status) => status is { } code ? $" (after the status line, HTTP {code})" : "";

    /// <summary>The answer's first <see cref="MaxResponseBytes"/>, and whether it had more.</summary>
    private static async Task<(string Text, bool Truncated)> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);

        // One byte past the limit tells a body of exactly the limit from a longer one. The buffer is
        // pooled: most answers are a few bytes, and a fresh 64 KiB per attempt was most of what an
        // attempt allocated.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxResponseBytes + 1);
        try
        {
            var filled = 0;
            int read;
            while (filled <= MaxResponseBytes && (read = await stream.ReadAsync(buffer.AsMemory(filled, MaxResponseBytes + 1 - filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            // A multi-byte character cut at the limit decodes as U+FFFD rather than failing.
            var kept = Math.Min(filled, MaxResponseBytes);
            return (kept == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, kept), filled > MaxResponseBytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The class of a failed request, from the innermost cause that tells.</summary>
    public static AttemptFailure Classify(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DestinationRefusedException:
                    return AttemptFailure.DestinationRefused;
                case System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused }:
                    return AttemptFailure.ConnectionRefused;
                case System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.TryAgain }:
                    return AttemptFailure.Dns;
                case System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.ConnectionAborted or System.Net.Sockets.SocketError.Shutdown }:
                    return AttemptFailure.ConnectionClosed;
                case System.Security.Authentication.AuthenticationException:
                    return AttemptFailure.Tls;
            }
        }

        return RequestErrorOf(exception) switch
        {
            HttpRequestError.NameResolutionError => AttemptFailure.Dns,
            HttpRequestError.SecureConnectionError => AttemptFailure.Tls,
            HttpRequestError.ResponseEnded => AttemptFailure.ConnectionClosed,
            HttpRequestError.InvalidResponse => AttemptFailure.InvalidResponse,
            _ => AttemptFailure.Network,
        };
    }

    /// <summary>What HttpClient says went wrong, on a request error or on a read of the answer's body.</summary>
    private static HttpRequestError? RequestErrorOf(Exception exception) => exception switch
    {
        HttpRequestException request => request.HttpRequestError,
        HttpIOException read => read.HttpRequestError,
        _ => null,
    };

    private static string Describe(Exception e)
    {
        var message = RequestErrorOf(e) switch
        {
            HttpRequestError.NameResolutionError => "Host name could not be resolved",
            HttpRequestError.ConnectionError => "Connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "The connection closed before a complete response",
            HttpRequestError.InvalidResponse => "The response was not valid HTTP",
            _ when Classify(e) == AttemptFailure.ConnectionClosed => "The connection closed before a complete response",
            _ => "HTTP request failed",
        };
        var detail = e.InnerException?.Message ?? e.Message;
        return $"{message}: {detail}";
    }
}
