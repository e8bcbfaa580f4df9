using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CIOPulse.Api;

/// <summary>
/// The API's view of <c>Webhooks:RetentionDays</c> (the silo's <c>WebhookOptions</c> owns the key; the
/// API references only the grain interfaces): the portal and the resend refusal name the retention.
/// A gateway reads it from its own configuration, so give gateways the silos' value.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Webhooks";

    [Range(0.00001, 36500.0, ErrorMessage = "Webhooks:RetentionDays must be a number of days from 0.00001 (about 1 s) to 36500, e.g. 90 or 0.5.")]
    public double RetentionDays { get; set; } = 90;

    /// <summary>"90 days", "1 day", or for a fraction (tests) "0.0000232 days".</summary>
    public string DaysText =>
        RetentionDays == 1 ? "1 day" : RetentionDays.ToString("0.#######", CultureInfo.InvariantCulture) + " days";
}
