using System.Text.Encodings.Web;
using System.Text.Json;
using CIOPulse.Api.Endpoints;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// One webhook (the article's pencil): its payload exactly as POSTed, every attempt with its reason,
/// when the next automatic attempt is due, and "Resend webhook". Another account's webhook, like one
/// that does not exist, is "not found".
/// </summary>
public sealed class EntryModel(TimeProvider timeProvider, IOptions<RetentionOptions> retention) : PortalPageModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [FromRoute(Name = "webhookId")]
    public string WebhookId { get; set; } = "";

    [FromQuery(Name = "resent")]
    public bool Resent { get; set; }

    public WebhookDetail? Detail { get; private set; }

    public DateTime NowUtc { get; private set; }

    /// <summary>The payload indented for reading (the raw text is <see cref="WebhookDetail.Payload"/>).</summary>
    public string PrettyPayload { get; private set; } = "";

    public Task<IActionResult> OnGetAsync() => LoadAsync(asFragment: false);

    /// <summary>The parts that change as attempts land, for the page's script to swap in.</summary>
    public Task<IActionResult> OnGetFragmentAsync() => LoadAsync(asFragment: true);

    /// <summary>The retention as the page names it ("90 days").</summary>
    public string RetentionText => retention.Value.DaysText;

    /// <summary>Resend was pressed on a page opened before the webhook expired: the API's 409, in words.</summary>
    public bool ResendRefused { get; private set; }

    public async Task<IActionResult> OnPostResendAsync()
    {
        var outcome = WebhookLogEndpoints.IsWebhookId(WebhookId) ? await Grains.GetGrain<IWebhookDeliveryGrain>(WebhookId).Resend(Account.Id) : ResendOutcome.NotFound;
        if (outcome != ResendOutcome.Accepted)
        {
            ResendRefused = outcome == ResendOutcome.Expired;
            var page = await LoadAsync(asFragment: false);
            if (ResendRefused)
            {
                Response.StatusCode = StatusCodes.Status409Conflict;
            }

            return page;
        }

        return Redirect(PortalPaths.Entry(WebhookId) + "?resent=true");
    }

    private async Task<IActionResult> LoadAsync(bool asFragment)
    {
        NowUtc = timeProvider.GetUtcNow().UtcDateTime;
        Detail = WebhookLogEndpoints.IsWebhookId(WebhookId) ? await Grains.GetGrain<IWebhookDeliveryGrain>(WebhookId).GetDetail(Account.Id) : null;
        if (Detail is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return asFragment ? new StatusCodeResult(StatusCodes.Status404NotFound) : Page();
        }

        PrettyPayload = Pretty(Detail.Payload);
        return asFragment ? Partial("_EntryLive", this) : Page();
    }

    private static string Pretty(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(json.RootElement, Indented);
        }
        catch (JsonException)
        {
            return payload;
        }
    }
}
