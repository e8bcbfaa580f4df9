using CIOPulse.Api.Portal;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

public sealed class PortalTextTests
{
    [Theory]
    [InlineData(AttemptFailure.Timeout, null, "Timeout")]
    [InlineData(AttemptFailure.ConnectionRefused, null, "Connection refused")]
    [InlineData(AttemptFailure.Dns, null, "DNS: host not found")]
    [InlineData(AttemptFailure.Tls, null, "TLS handshake failed")]
    [InlineData(AttemptFailure.Redirect, 302, "HTTP 302: redirect not followed")]
    [InlineData(AttemptFailure.HttpClientError, 404, "HTTP 404 (4xx: the receiver refused the request)")]
    [InlineData(AttemptFailure.HttpServerError, 503, "HTTP 503 (5xx: the receiver failed)")]
    [InlineData(AttemptFailure.UnexpectedStatus, 204, "HTTP 204: only 200 counts as delivered")]
    [InlineData(AttemptFailure.ConnectionClosed, null, "Connection closed before a complete answer")]
    [InlineData(AttemptFailure.DestinationRefused, null, "Destination refused: private or internal address")]
    [InlineData(AttemptFailure.NotSent, null, "Not sent")]
    [InlineData(AttemptFailure.Network, null, "Network error")]
    public void Each_failure_class_has_its_words(AttemptFailure failure, int? code, string expected) =>
        Assert.Equal(expected, PortalText.FailureText(new AttemptRecord(1, DateTime.UnixEpoch, 5, code, null, "detail", failure)));

    [Theory]
    [InlineData(200, null, null)]
    [InlineData(500, null, "HTTP 500")]
    [InlineData(null, "Connection failed: refused", "Network error")]
    public void Attempts_recorded_before_failures_were_classed_are_worded_from_what_they_kept(int? code, string? error, string? expected) =>
        Assert.Equal(expected, PortalText.FailureText(new AttemptRecord(1, DateTime.UnixEpoch, 5, code, null, error)));

    [Theory]
    [InlineData(0, "now")]
    [InlineData(-5, "now")]
    [InlineData(12, "in 12 s")]
    [InlineData(61, "in 2 min")]
    [InlineData(2400, "in 40 min")]
    [InlineData(5400, "in 1.5 h")]
    public void Until_says_how_far_off_a_time_is(int seconds, string expected)
    {
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(expected, PortalText.Until(now.AddSeconds(seconds), now));
    }

    [Fact]
    public void Statuses_read_as_the_article_names_them() =>
        Assert.Equal(["In Progress", "Succeeded", "Failed"], Enum.GetValues<WebhookStatus>().Select(PortalText.StatusText));
}
