namespace CIOPulse.Grains.Interfaces;

/// <summary>Why an attempt failed, in the classes a receiver's owner acts on.</summary>
[GenerateSerializer, Alias("ciopulse.AttemptFailure")]
public enum AttemptFailure
{
    /// <summary>No complete answer within <c>Webhooks:AttemptTimeout</c>.</summary>
    Timeout = 0,

    /// <summary>Nothing listens at the destination (TCP connection refused).</summary>
    ConnectionRefused = 1,

    /// <summary>The host name could not be resolved.</summary>
    Dns = 2,

    /// <summary>The TLS handshake failed (certificate, protocol, or a plain-HTTP server).</summary>
    Tls = 3,

    /// <summary>A 3xx answer: redirects are not followed.</summary>
    Redirect = 4,

    /// <summary>A 4xx answer.</summary>
    HttpClientError = 5,

    /// <summary>A 5xx answer.</summary>
    HttpServerError = 6,

    /// <summary>Any other status but 200 (1xx, 2xx other than 200, outside 100–599).</summary>
    UnexpectedStatus = 7,

    /// <summary>The connection closed or was reset before a complete answer.</summary>
    ConnectionClosed = 8,

    /// <summary>The answer was not valid HTTP.</summary>
    InvalidResponse = 9,

    /// <summary>The destination is (or resolves to) a private, loopback or link-local address.</summary>
    DestinationRefused = 10,

    /// <summary>No request was sent: webhooks off, no usable URL, or the password cannot be decrypted.</summary>
    NotSent = 11,

    /// <summary>Any other network failure.</summary>
    Network = 12,

    /// <summary>
    /// Not sent: the destination already had <c>Webhooks:MaxRequestsPerDestination</c> requests in
    /// flight, and no slot came free within the attempt timeout (or too many attempts were waiting).
    /// </summary>
    DestinationBusy = 13,
}
