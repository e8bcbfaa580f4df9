namespace CIOPulse.Grains.Interfaces;

/// <summary>How long a caller waits for a test webhook's attempt.</summary>
public static class TestWebhookTimeouts
{
    /// <summary>
    /// The Orleans response timeout of the calls that wait for a test attempt: past the longest
    /// attempt there can be (<c>Webhooks:AttemptTimeout</c> is at most 10 minutes, spent at most twice:
    /// waiting for a slot to the destination, then on the request), with a margin. The attempt itself
    /// ends far sooner with the configured timeout.
    /// </summary>
    public const string Response = "00:21:00";
}
