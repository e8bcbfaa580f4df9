using System.Globalization;
using CIOPulse.Api.Endpoints;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// "Resend in bulk": the filter (status, listening post, last activity from and until, last response
/// code), a preview that says how many webhooks would be resent (the API's dry run), and Confirm,
/// which starts the operation (the API's rules: 14 days at most, one running per account) and opens
/// its progress. The preview is a GET (nothing changes); Confirm is a POST with antiforgery.
/// </summary>
public sealed class BulkResendModel(TimeProvider timeProvider) : PortalPageModel
{
    /// <summary>The form's time format (an input of type datetime-local, read as GMT).</summary>
    public const string LocalFormat = "yyyy-MM-dd'T'HH:mm";

    [BindProperty(SupportsGet = true, Name = "status")]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "listeningPost")]
    public string? ListeningPost { get; set; }

    [BindProperty(SupportsGet = true, Name = "from")]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "until")]
    public string? Until { get; set; }

    [BindProperty(SupportsGet = true, Name = "code")]
    public string? Code { get; set; }

    [FromQuery(Name = "preview")]
    public bool Preview { get; set; }

    /// <summary>How many webhooks the filter matches now (after a preview).</summary>
    public long? Count { get; private set; }

    /// <summary>The field at fault and why.</summary>
    public (string? Field, string Message)? Error { get; private set; }

    /// <summary>The account's operation running now, if any.</summary>
    public BulkResendProgress? Running { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        FillDefaults();
        Running = await Grains.GetGrain<IBulkResendCoordinatorGrain>(Account.Id).GetRunning();
        if (Preview && Read() is { } filter)
        {
            Count = await Grains.GetGrain<IBulkResendCoordinatorGrain>(Account.Id).Count(filter);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostStartAsync()
    {
        if (Read() is not { } filter)
        {
            Running = await Grains.GetGrain<IBulkResendCoordinatorGrain>(Account.Id).GetRunning();
            return Page();
        }

        var result = await Grains.GetGrain<IBulkResendCoordinatorGrain>(Account.Id).Start(filter, ratePerSecond: null);
        if (BulkResendEndpoints.Refusal(result) is { } refused)
        {
            Error = PortalProblems.FieldError(refused);
            Response.StatusCode = refused.StatusCode;
            Running = await Grains.GetGrain<IBulkResendCoordinatorGrain>(Account.Id).GetRunning();
            return Page();
        }

        return Redirect(PortalPaths.BulkResendOperation(result.Started!.Id));
    }

    /// <summary>The form's filter, or null with <see cref="Error"/> set (and a 400).</summary>
    private BulkResendFilter? Read()
    {
        var (filter, field, message) = BulkResendInput.ReadFilter(Blank(Status), Blank(ListeningPost), Blank(From), Blank(Until), Blank(Code));
        if (filter is null)
        {
            Error = (FieldName(field), message!);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        return filter;
    }

    /// <summary>The form's own names for the API's fields.</summary>
    private static string? FieldName(string? apiField) => apiField switch
    {
        "lastActivityFrom" => "from",
        "lastActivityUntil" => "until",
        "lastResponseCode" => "code",
        _ => apiField,
    };

    /// <summary>The last 7 days up to the next minute, when the form has no window yet.</summary>
    private void FillDefaults()
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var until = new DateTime(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        From ??= until.AddDays(-7).ToString(LocalFormat, CultureInfo.InvariantCulture);
        Until ??= until.ToString(LocalFormat, CultureInfo.InvariantCulture);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
