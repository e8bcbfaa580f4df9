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
            return AttemptOutcome.Failure($"Webhook URL {urlProblem}.");
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
                return AttemptOutcome.Failure("The stored webhook password cannot be decrypted (was Secrets:EncryptionKey changed?). Set the password again.");
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
            var text = await ReadLimitedAsync(response.Content, attemptCancellation.Token);
            return new AttemptOutcome((int)response.StatusCode, text, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AttemptOutcome.Failure($"Timed out after {timeout.TotalSeconds:0.###} s without a complete response.");
        }
        catch (HttpRequestException e)
        {
            return AttemptOutcome.Failure(Describe(e));
        }
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        // A multi-byte character cut at the limit decodes as U+FFFD rather than failing.
        return Encoding.UTF8.GetString(buffer, 0, filled);
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
