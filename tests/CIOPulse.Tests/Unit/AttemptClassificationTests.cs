using System.Net.Sockets;
using System.Security.Authentication;
using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Tests.Unit;

/// <summary>How a failed POST is classed for the log: by the innermost cause that tells, else by the kind of request error.</summary>
public sealed class AttemptClassificationTests
{
    public static TheoryData<Exception, AttemptFailure> Failures() => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.ConnectionRefused)), AttemptFailure.ConnectionRefused },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "x", new SocketException((int)SocketError.HostNotFound)), AttemptFailure.Dns },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), AttemptFailure.Dns },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "x", new AuthenticationException("bad certificate")), AttemptFailure.Tls },
        { new HttpRequestException(HttpRequestError.SecureConnectionError, "x"), AttemptFailure.Tls },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "x"), AttemptFailure.ConnectionClosed },
        { new HttpRequestException(HttpRequestError.Unknown, "x", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), AttemptFailure.ConnectionClosed },
        { new HttpRequestException(HttpRequestError.InvalidResponse, "x"), AttemptFailure.InvalidResponse },
        { new HttpRequestException(HttpRequestError.ConnectionError, "x", new DestinationRefusedException("private")), AttemptFailure.DestinationRefused },
        { new DestinationRefusedException("private"), AttemptFailure.DestinationRefused },
        { new HttpRequestException(HttpRequestError.ConnectionError, "x", new SocketException((int)SocketError.NetworkUnreachable)), AttemptFailure.Network },

        // Raised while the answer's body is read, after the status line: not HttpRequestExceptions.
        { new HttpIOException(HttpRequestError.ResponseEnded, "x"), AttemptFailure.ConnectionClosed },
        { new HttpIOException(HttpRequestError.InvalidResponse, "x"), AttemptFailure.InvalidResponse },
        { new IOException("x", new SocketException((int)SocketError.ConnectionReset)), AttemptFailure.ConnectionClosed },
        { new IOException("x"), AttemptFailure.Network },
        { new InvalidOperationException("x"), AttemptFailure.Network },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_request_error_is_classed_by_its_cause(Exception error, AttemptFailure expected) =>
        Assert.Equal(expected, WebhookSender.Classify(error));

    [Theory]
    [InlineData(200, null)]
    [InlineData(201, AttemptFailure.UnexpectedStatus)]
    [InlineData(204, AttemptFailure.UnexpectedStatus)]
    [InlineData(101, AttemptFailure.UnexpectedStatus)]
    [InlineData(301, AttemptFailure.Redirect)]
    [InlineData(308, AttemptFailure.Redirect)]
    [InlineData(400, AttemptFailure.HttpClientError)]
    [InlineData(429, AttemptFailure.HttpClientError)]
    [InlineData(500, AttemptFailure.HttpServerError)]
    [InlineData(599, AttemptFailure.HttpServerError)]
    [InlineData(600, AttemptFailure.UnexpectedStatus)]
    public void An_answer_is_classed_by_its_status(int status, AttemptFailure? expected)
    {
        var outcome = AttemptOutcome.Answer(status, "body", truncated: false);
        Assert.Equal(expected, outcome.FailureClass);
        Assert.Equal(status == 200, outcome.Succeeded);
    }
}
