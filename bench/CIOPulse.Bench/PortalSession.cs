using System.Net;
using System.Text.RegularExpressions;

namespace CIOPulse.Bench;

/// <summary>A signed-in portal session over plain HTTP, as a browser has it: the form token from the sign-in page, then the session cookie.</summary>
public static partial class PortalSession
{
    /// <summary>An HttpClient that carries the portal session cookie of <paramref name="key"/>'s account (system key: <paramref name="accountId"/>).</summary>
    public static async Task<HttpClient> SignInAsync(Uri baseUri, string key, string? accountId = null, TimeSpan? timeout = null)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        var form = await http.GetStringAsync(new Uri("portal/sign-in", UriKind.Relative));
        var token = TokenField().Match(form) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("the sign-in page has no form token");
        var fields = new Dictionary<string, string> { ["key"] = key, ["__RequestVerificationToken"] = token };
        if (accountId is not null)
        {
            fields["accountId"] = accountId;
        }

        using var response = await http.PostAsync(new Uri("portal/sign-in", UriKind.Relative), new FormUrlEncodedContent(fields));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"portal sign-in answered {(int)response.StatusCode}");
        }

        return http;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
