using System.Net;
using System.Text.RegularExpressions;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// The portal spoken to over plain HTTP, without a browser: a client that keeps cookies, and the
/// sign-in form posted with its antiforgery token, for tests that only need a session.
/// </summary>
public static partial class PortalHttp
{
    /// <summary>A client for <paramref name="baseUri"/> with its own cookie jar; redirects are not followed.</summary>
    public static HttpClient CreateClient(Uri baseUri, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() }) { BaseAddress = baseUri };

    /// <summary>Signs in with <paramref name="key"/>; requires the redirect that means a session was opened.</summary>
    public static async Task SignInAsync(HttpClient client, string key, string? accountId = null)
    {
        var form = await client.GetStringAsync("/portal/sign-in");
        var token = TokenField().Match(form);
        Assert.True(token.Success, "the sign-in page carries an antiforgery token");
        var fields = new Dictionary<string, string> { ["key"] = key, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value) };
        if (accountId is not null)
        {
            fields["accountId"] = accountId;
        }

        using var response = await client.PostAsync("/portal/sign-in", new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>Whether the client's session opens the settings page (rather than being sent to sign in).</summary>
    public static async Task<bool> HasSessionAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/portal/settings");
        return response.StatusCode == HttpStatusCode.OK;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
