using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CIOPulse.Tests.Infrastructure;
using static CIOPulse.Tests.Api.ApiTestHelpers;

namespace CIOPulse.Tests.Operations;

/// <summary>
/// Orleans' dashboard on the silo: off by default (404); when on (Dashboard:Enabled), every page
/// and asset under its path needs the system key — as the Basic password a browser asks for, or
/// as X-Api-Key — and anything else gets 401 with a Basic challenge.
/// </summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task The_dashboard_is_off_by_default()
    {
        await using var app = await SiloApp.StartAsync();
        using var client = app.CreateClient();

        using var page = await client.GetAsync("dashboard/");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    [Fact]
    public async Task When_on_it_answers_the_system_key_only()
    {
        await using var app = await SiloApp.StartAsync(new Dictionary<string, string> { ["Dashboard:Enabled"] = "true" });
        var accountId = await app.CreateAccountAsync();
        var accountKey = await app.IssueKeyAsync(accountId);
        using var anonymous = app.CreateClient(apiKey: null);

        foreach (var path in (string[])["dashboard/", "dashboard/index.min.js"])
        {
            using (var refused = await anonymous.GetAsync(path))
            {
                await AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
                Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
            }

            foreach (var wrong in (string[])[accountKey, SiloApp.SystemKey + "x", ""])
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = Basic(wrong);
                using var refused = await anonymous.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            using (var request = new HttpRequestMessage(HttpMethod.Get, path))
            {
                request.Headers.Authorization = Basic(SiloApp.SystemKey);
                using var served = await anonymous.SendAsync(request);
                await AssertStatusAsync(served, HttpStatusCode.OK);
            }

            using var system = app.CreateClient();
            using var byHeader = await system.GetAsync(path);
            await AssertStatusAsync(byHeader, HttpStatusCode.OK);
        }

        using var html = new HttpRequestMessage(HttpMethod.Get, "dashboard/");
        html.Headers.Authorization = Basic(SiloApp.SystemKey);
        using var page = await anonymous.SendAsync(html);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    private static AuthenticationHeaderValue Basic(string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:" + password)));
}
