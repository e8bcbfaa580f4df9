using System.Text.Json;
using System.Text.Json.Serialization;
using CIOPulse.Api.Endpoints;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// A bulk resend's progress: total, done, succeeded, failed and a bar, refreshed by the portal's
/// script from <see cref="OnGetProgressAsync"/> while it runs (a Refresh link without script), and
/// Cancel. Another account's operation, like an unknown one, is "not found".
/// </summary>
public sealed class BulkResendProgressModel : PortalPageModel
{
    // As the API writes it: camelCase, enums by name.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [FromRoute(Name = "operationId")]
    public string OperationId { get; set; } = "";

    public BulkResendProgress? Progress { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Progress = await LoadAsync();
        if (Progress is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }

    /// <summary>The counts as JSON for the page's script (the API's answer's shape).</summary>
    public async Task<IActionResult> OnGetProgressAsync() =>
        await LoadAsync() is { } progress ? new JsonResult(BulkResendEndpoints.ToResponse(progress), Json) : NotFound();

    public async Task<IActionResult> OnPostCancelAsync()
    {
        if (BulkResendEndpoints.IsOperationId(OperationId) && await Grains.GetGrain<IBulkResendGrain>(OperationId).Cancel(Account.Id) is not null)
        {
            return Redirect(PortalPaths.BulkResendOperation(OperationId));
        }

        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private async Task<BulkResendProgress?> LoadAsync() =>
        BulkResendEndpoints.IsOperationId(OperationId) ? await Grains.GetGrain<IBulkResendGrain>(OperationId).GetProgress(Account.Id) : null;
}
