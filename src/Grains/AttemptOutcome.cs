using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

/// <summary>
/// What one POST produced: an HTTP answer (code and body, <see cref="Truncated"/> when the body went
/// past what is kept) or a network error, with the class of failure when it was not a success.
/// </summary>
public sealed record AttemptOutcome(int? ResponseCode, string? Response, string? Error, AttemptFailure? FailureClass = null, bool Truncated = false)
{
    /// <summary>Success is exactly HTTP 200 (SPEC §6).</summary>
    public bool Succeeded => ResponseCode == 200;

    /// <summary>
    /// The failure class's name, for metrics, logs and traces; null for a success. Every failed
    /// outcome has a class (<see cref="Failure"/> and <see cref="Answer"/> set one).
    /// </summary>
    public string? FailureName => Succeeded ? null : (FailureClass ?? AttemptFailure.Network).ToString();

    public static AttemptOutcome Failure(AttemptFailure failure, string error) => new(null, null, error, failure);

    /// <summary>An HTTP answer, classed by its status.</summary>
    public static AttemptOutcome Answer(int statusCode, string body, bool truncated) =>
        new(statusCode, body, null, ClassOf(statusCode), truncated);

    /// <summary>The failure class of an HTTP status; null for 200.</summary>
    public static AttemptFailure? ClassOf(int statusCode) => statusCode switch
    {
        200 => null,
        >= 300 and < 400 => AttemptFailure.Redirect,
        >= 400 and < 500 => AttemptFailure.HttpClientError,
        >= 500 and < 600 => AttemptFailure.HttpServerError,
        _ => AttemptFailure.UnexpectedStatus,
    };
}
