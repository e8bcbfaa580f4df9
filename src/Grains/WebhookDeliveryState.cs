using CIOPulse.Grains.Interfaces;

namespace CIOPulse.Grains;

[GenerateSerializer, Alias("ciopulse.WebhookDeliveryState")]
public sealed class WebhookDeliveryState
{
    [Id(0)] public string? AccountId { get; set; }
    [Id(1)] public ListeningPost ListeningPost { get; set; }
    [Id(2)] public string ResponseId { get; set; } = "";

    /// <summary>The JSON object of SPEC §5, without the ServiceNow wrapper (applied per attempt).</summary>
    [Id(3)] public string Payload { get; set; } = "";
    [Id(4)] public DateTime AcceptedUtc { get; set; }
    [Id(5)] public WebhookStatus Status { get; set; }
    [Id(6)] public List<AttemptRecord> Attempts { get; set; } = [];

    /// <summary>Attempts made by the schedule (resends are not counted here).</summary>
    [Id(7)] public int AutomaticAttempts { get; set; }

    /// <summary>When the next automatic attempt is due; null once no automatic attempt remains.</summary>
    [Id(8)] public DateTime? NextAttemptDueUtc { get; set; }
    [Id(9)] public DateTime LastActivityUtc { get; set; }

    /// <summary>Whether the last POST used the ServiceNow wrapper, so the log shows the exact body.</summary>
    [Id(10)] public bool LastPostWrapped { get; set; }

    /// <summary>A resend was accepted and its attempt has not been made yet.</summary>
    [Id(11)] public bool ResendRequested { get; set; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the call that accepted the webhook (null when it was not traced,
    /// and in states stored before it was kept): retries, which start traces of their own, link to it.
    /// </summary>
    [Id(12)] public string? AcceptedTraceParent { get; set; }

    /// <summary>A test webhook ("Send test"): one automatic attempt, sent while webhooks are off too.</summary>
    [Id(13)] public bool Test { get; set; }

    /// <summary>
    /// The bulk resend operations that asked this webhook for an attempt, oldest first (the last few
    /// kept): what makes an operation's repeated request (after a crash) a no-op that knows the outcome.
    /// </summary>
    [Id(15)] public List<BulkResendMark> BulkResends { get; set; } = [];

    /// <summary>
    /// When the retention removed <see cref="Payload"/> and every attempt's response body (null while
    /// they are kept). An expired webhook keeps its attempts' codes and times and cannot be resent.
    /// </summary>
    [Id(14)] public DateTime? ExpiredUtc { get; set; }

    public bool Exists => AccountId is not null;
}
