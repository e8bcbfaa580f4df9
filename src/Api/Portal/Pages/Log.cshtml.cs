using CIOPulse.Api.Endpoints;
using CIOPulse.Grains.Interfaces;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc;

namespace CIOPulse.Api.Portal.Pages;

/// <summary>
/// The Webhook Log: the article's columns, newest activity first, filtered and searched by what the
/// URL says (so a view can be bookmarked and shared), paged by the API's snapshot cursors. The
/// trail of earlier cursors rides in the URL too, so "Previous" and the page number need no session.
/// </summary>
public sealed class LogModel(TimeProvider timeProvider) : PortalPageModel
{
    public static readonly int[] PageSizes = [20, 50, 100, 500];

    /// <summary>The row the page's script copies for a webhook that appears while the page is open.</summary>
    public static readonly WebhookLogItem TemplateRow = new("0000000000000", "", global::CIOPulse.Grains.Interfaces.ListeningPost.Transactional, DateTime.UnixEpoch, null, null, 0, WebhookStatus.InProgress);

    // The trail is for going back; a deep pass keeps the last few (and "Newest" beyond them).
    private const int MaxTrail = 20;

    [FromQuery(Name = "status")]
    public string? Status { get; set; }

    [FromQuery(Name = "listeningPost")]
    public string? ListeningPost { get; set; }

    [FromQuery(Name = "search")]
    public string? Search { get; set; }

    [FromQuery(Name = "limit")]
    public string? Limit { get; set; }

    [FromQuery(Name = "cursor")]
    public string? Cursor { get; set; }

    [FromQuery(Name = "trail")]
    public string? Trail { get; set; }

    [FromQuery(Name = "page")]
    public int? PageParameter { get; set; }

    public IReadOnlyList<WebhookLogItem> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    /// <summary>The parameter at fault and why, when the URL's filters are not valid.</summary>
    public (string? Field, string Message)? FilterError { get; private set; }

    public int PageSize { get; private set; } = WebhookLogEndpoints.DefaultLimit;

    public int PageNumber { get; private set; } = 1;

    public DateTime RenderedUtc { get; private set; }

    public IHtmlContent Chart { get; private set; } = HtmlString.Empty;

    public string ChartSummary { get; private set; } = "";

    public IReadOnlyList<HourlyAttempts> ChartHours { get; private set; } = [];

    public bool Filtered => Status is { Length: > 0 } || ListeningPost is { Length: > 0 } || Search is { Length: > 0 };

    private IReadOnlyList<string> TrailCursors => string.IsNullOrEmpty(Trail) ? [] : Trail.Split('.');

    public async Task<IActionResult> OnGetAsync()
    {
        RenderedUtc = timeProvider.GetUtcNow().UtcDateTime;
        var log = Grains.GetGrain<IWebhookLogGrain>(0);
        var hours = AttemptsChart.Fill(await log.AttemptsPerHour(Account.Id, AttemptsChart.FirstHour(RenderedUtc)), RenderedUtc);
        ChartHours = hours;
        Chart = AttemptsChart.Render(hours);
        ChartSummary = AttemptsChart.Summary(hours);

        var (query, problem) = WebhookLogEndpoints.ReadQuery(Blank(Status), Blank(ListeningPost), Blank(Search), Blank(Limit), Blank(Cursor));
        if (query is null)
        {
            FilterError = PortalProblems.FieldError(problem!);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        PageSize = query.Limit;
        PageNumber = query.Cursor is null ? 1 : Math.Max(PageParameter ?? 0, TrailCursors.Count + 2);
        var page = await log.Query(Account.Id, query);
        if (page.Error is { } error)
        {
            FilterError = ("cursor", error);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        Items = page.Items;
        NextCursor = page.NextCursor;
        return Page();
    }

    public int FirstRow => ((PageNumber - 1) * PageSize) + 1;

    /// <summary>This view's URL at another page (the filters stay).</summary>
    public string PageUrl(int page, string? cursor, IEnumerable<string> trail)
    {
        var trailText = string.Join('.', trail.TakeLast(MaxTrail));
        return QueryUrl(("cursor", cursor), ("trail", trailText), ("page", page > 1 ? page.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    public string NextUrl => PageUrl(PageNumber + 1, NextCursor, Cursor is null ? TrailCursors : [.. TrailCursors, Cursor]);

    /// <summary>The page before this one, while the trail still holds its cursor.</summary>
    public string? PreviousUrl => Cursor is null ? null
        : PageNumber == 2 ? FirstPageUrl
        : TrailCursors.Count == 0 ? null
        : PageUrl(PageNumber - 1, TrailCursors[^1], TrailCursors.Take(TrailCursors.Count - 1));

    public string FirstPageUrl => PageUrl(1, null, []);

    private string QueryUrl(params (string Name, string? Value)[] paging)
    {
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new("status", Blank(Status)),
            new("listeningPost", Blank(ListeningPost)),
            new("search", Blank(Search)),
            new("limit", Blank(Limit)),
        };
        parameters.AddRange(paging.Select(p => new KeyValuePair<string, string?>(p.Name, Blank(p.Value))));
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(PortalPaths.Log, parameters.Where(p => p.Value is not null));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
