using System.Net.Http.Headers;
using System.Text;
using CIOPulse.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Makes one webhook POST through the pooled "webhooks" HttpClient: Basic auth when a username is
/// set, no redirects, the attempt timeout, and at most 64 KiB of the answer read.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClientFactory, SecretProtector secrets, IOptions<WebhookOptions> options)
{
    public const string HttpClientName = "webhooks";
    public const int MaxResponseBytes = 64 * 1024;
    private static readonly MediaTypeHeaderValue JsonUtf8 = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public async Task<AttemptOutcome> SendAsync(string accountId, string webhookId, DeliveryTarget target, string body, CancellationToken cancellationToken)
    {
        if (DestinationPolicy.ValidateUrlSyntax(target.Url) is { } urlProblem)
        {
            return AttemptOutcome.Failure(AttemptFailure.NotSent, $"Webhook URL {urlProblem}.");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = JsonUtf8;
        request.Headers.TryAddWithoutValidation("X-CIOPulse-Webhook-Id", webhookId);
        if (!string.IsNullOrEmpty(target.Username))
        {
            var password = "";
            if (target.EncryptedPassword is { } encrypted
                && (password = secrets.TryUnprotect(encrypted, accountId)) is null)
            {
                return AttemptOutcome.Failure(AttemptFailure.NotSent, "The stored webhook password cannot be decrypted with any of Secrets:EncryptionKeys (was the key that encrypted it removed?). Set the password again.");
            }

            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{target.Username}:{password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        var timeout = options.Value.AttemptTimeout;
        using var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCancellation.CancelAfter(timeout);
        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCancellation.Token);
            var (text, truncated) = await ReadLimitedAsync(response.Content, attemptCancellation.Token);
            return AttemptOutcome.Answer((int)response.StatusCode, text, truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Failure(AttemptFailure.Timeout, $"Timed out after {timeout.TotalSeconds:0.###} s without a complete response.");
        }
        catch (HttpRequestException e)
        {
            return AttemptOutcome.Failure(Classify(e), Describe(e));
        }
    }

    /// <summary>The answer's first <see cref="MaxResponseBytes"/>, and whether it had more.</summary>
    private static async Task<(string Text, bool Truncated)> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);

        // One byte past the limit tells a body of exactly the limit from a longer one.
        var buffer = new byte[MaxResponseBytes + 1];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        // A multi-byte character cut at the limit decodes as U+FFFD rather than failing.
        var kept = Math.Min(filled, MaxResponseBytes);
        return (Encoding.UTF8.GetString(buffer, 0, kept), filled > MaxResponseBytes);
    }

    /// <summary>The class of a failed request, from the innermost cause that tells.</summary>
    public static AttemptFailure Classify(HttpRequestException exception)
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

        return exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => AttemptFailure.Dns,
            HttpRequestError.SecureConnectionError => AttemptFailure.Tls,
            HttpRequestError.ResponseEnded => AttemptFailure.ConnectionClosed,
            HttpRequestError.InvalidResponse => AttemptFailure.InvalidResponse,
            _ => AttemptFailure.Network,
        };
    }

    private static string Describe(HttpRequestException e)
    {
        var message = e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "Host name could not be resolved",
            HttpRequestError.ConnectionError => "Connection failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "The connection closed before a complete response",
            HttpRequestError.InvalidResponse => "The response was not valid HTTP",
            _ => "HTTP request failed",
        };
        var detail = e.InnerException?.Message ?? e.Message;
        return $"{message}: {detail}";
    }
}
