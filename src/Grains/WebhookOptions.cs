using System.ComponentModel.DataAnnotations;

namespace CIOPulse.Grains;

/// <summary>The <c>Webhooks</c> configuration section (SPEC §7).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>The article's schedule: after failed attempt 1..4 wait 5, 10, 20, 40 minutes.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(40)];

    /// <summary>
    /// Delays before automatic attempts 2, 3, …; null means <see cref="DefaultRetryDelays"/>.
    /// Kept null by default because the configuration binder appends to a pre-filled list.
    /// </summary>
    public List<TimeSpan>? RetryDelays { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Webhooks:AttemptTimeout must be between 100 ms and 10 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Requests in flight to one destination (scheme, host and port) at most; attempts over it wait
    /// for a slot without holding a connection.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "Webhooks:MaxRequestsPerDestination must be from 1 to 1024.")]
    public int MaxRequestsPerDestination { get; set; } = 32;

    /// <summary>
    /// Attempts that may wait for a slot to one destination; an attempt that finds the queue full, or
    /// waits longer than <see cref="AttemptTimeout"/>, is recorded as failed (DestinationBusy).
    /// </summary>
    [Range(0, 100_000, ErrorMessage = "Webhooks:MaxQueuedPerDestination must be from 0 to 100000.")]
    public int MaxQueuedPerDestination { get; set; } = 1000;

    /// <summary>How often a silo counts the webhooks InProgress for its gauges (a scan of the log's current rows).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Webhooks:BacklogSampleInterval must be between 1 s and 1 hour.")]
    public TimeSpan BacklogSampleInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// After a signing-secret rotation, how long the replaced secret keeps signing beside the new one,
    /// so that receivers can move to the new secret without refusing a webhook.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Webhooks:SigningSecretOverlap must be between 1 s and 30 days.")]
    public TimeSpan SigningSecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The rate of a bulk resend that asks for none (resends started per second).</summary>
    [Range(1, 10_000, ErrorMessage = "Webhooks:BulkResendRatePerSecond must be from 1 to 10000.")]
    public int BulkResendRatePerSecond { get; set; } = 10;

    /// <summary>The highest rate a bulk resend may ask for, so a recovering receiver is not flattened.</summary>
    [Range(1, 10_000, ErrorMessage = "Webhooks:BulkResendMaxRatePerSecond must be from 1 to 10000.")]
    public int BulkResendMaxRatePerSecond { get; set; } = 100;

    /// <summary>A bulk resend's attempts in flight at most (a slow receiver slows the operation down).</summary>
    [Range(1, 1024, ErrorMessage = "Webhooks:BulkResendMaxInFlight must be from 1 to 1024.")]
    public int BulkResendMaxInFlight { get; set; } = 10;

    /// <summary>The most webhooks one bulk resend may take; a filter matching more is refused (409).</summary>
    [Range(1, 1_000_000, ErrorMessage = "Webhooks:BulkResendMaxWebhooks must be from 1 to 1000000.")]
    public int BulkResendMaxWebhooks { get; set; } = 100_000;

    /// <summary>
    /// How long a finished webhook keeps its payload and response bodies after its last activity, in
    /// days; a fraction is allowed (tests use seconds: 0.0000232 is about 2 s). See <see cref="Retention"/>.
    /// </summary>
    [Range(0.00001, 36500.0, ErrorMessage = "Webhooks:RetentionDays must be a number of days from 0.00001 (about 1 s) to 36500, e.g. 90 or 0.5.")]
    public double RetentionDays { get; set; } = DefaultRetentionDays;

    public const double DefaultRetentionDays = 90;

    /// <summary>How often the retention sweep looks for webhooks past <see cref="RetentionDays"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Webhooks:RetentionSweepInterval must be between 1 s and 1 day.")]
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many webhooks the sweep asks the log for at a time (each is then expired through its grain).</summary>
    [Range(1, 10_000, ErrorMessage = "Webhooks:RetentionSweepBatchSize must be from 1 to 10000.")]
    public int RetentionSweepBatchSize { get; set; } = 500;

    /// <summary>
    /// How long one stretch of the sweep works before it yields (it stops after the batch in which
    /// this runs out; 0: one batch per stretch). A stretch that ran out with candidates left is
    /// followed by the next one at once (after <see cref="RetentionSweepGrain.ContinuationPause"/>),
    /// not at the next interval: a backlog is worked off at the sweep's own pace.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20", ErrorMessage = "Webhooks:RetentionSweepTickBudget must be between 0 and 20 s.")]
    public TimeSpan RetentionSweepTickBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary><see cref="RetentionDays"/> as a TimeSpan.</summary>
    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);

    /// <summary>Allows loopback and private destinations (local development and tests only).</summary>
    public bool AllowPrivateNetworks { get; set; }

    [Required, Url(ErrorMessage = "Webhooks:ServiceRecoveryNotesBaseUrl must be an absolute URL.")]
    public string ServiceRecoveryNotesBaseUrl { get; set; } = "https://app.cio-pulse.com/service-recovery-notes";

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays =>
        RetryDelays is { Count: > 0 } delays ? delays : DefaultRetryDelays;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryDelays is { } delays && delays.Any(d => d <= TimeSpan.Zero))
        {
            yield return new ValidationResult(
                "Webhooks:RetryDelays must hold positive TimeSpans, e.g. 00:05:00.", [nameof(RetryDelays)]);
        }

        if (BulkResendRatePerSecond > BulkResendMaxRatePerSecond)
        {
            yield return new ValidationResult(
                "Webhooks:BulkResendRatePerSecond must not exceed Webhooks:BulkResendMaxRatePerSecond.", [nameof(BulkResendRatePerSecond)]);
        }
    }
}
