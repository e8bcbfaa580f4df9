namespace CIOPulse.HangfireBaseline;

/// <summary>
/// Thrown by the delivery job after a failed attempt has been logged, so that Hangfire's
/// <see cref="Hangfire.AutomaticRetryAttribute"/> schedules the next one (or fails the job).
/// </summary>
public sealed class WebhookAttemptFailedException : Exception
{
    public WebhookAttemptFailedException()
    {
    }

    public WebhookAttemptFailedException(string message)
        : base(message)
    {
    }

    public WebhookAttemptFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
