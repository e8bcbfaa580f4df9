using System.Net.Http.Headers;
using System.Text;
using CIOPulse.Grains;

namespace CIOPulse.Ceiling;

/// <summary>
/// POSTs a payload once, fire-and-forget: no limiter, no stored attempt, no retry. Counts the
/// outcome in the product's meter so the benchmark reads it from /metrics as it does for the silo.
/// </summary>
public sealed class CeilingSender(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "ceiling";
    private static readonly MediaTypeHeaderValue JsonUtf8 = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public void Send(string webhookId, CeilingAccount account, string body) => _ = SendAsync(webhookId, account, body);

    private async Task SendAsync(string webhookId, CeilingAccount account, string body)
    {
        var started = TimeProvider.System.GetTimestamp();
        AttemptOutcome outcome;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, account.Url) { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = JsonUtf8;
            request.Headers.TryAddWithoutValidation("X-CIOPulse-Webhook-Id", webhookId);
            if (account.Authorization is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", account.Authorization);
            }

            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request);
            outcome = AttemptOutcome.Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), false);
        }
        catch (Exception e)
        {
            outcome = AttemptOutcome.Failure(WebhookSender.Classify(e), e.Message);
        }

        WebhookMetrics.Attempted(outcome, false, TimeProvider.System.GetElapsedTime(started));
    }
}
