using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CIOPulse.Grains;

/// <summary>
/// Every configured <c>Webhooks:RetryDelays</c> entry must read as a TimeSpan. The configuration
/// binder leaves out an entry it cannot convert, which would silently shorten the schedule.
/// </summary>
public sealed class RetryDelaysValidator(IConfiguration webhooksSection) : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = webhooksSection.GetSection(nameof(WebhookOptions.RetryDelays)).GetChildren()
            .Where(entry => !TimeSpan.TryParse(entry.Value, CultureInfo.InvariantCulture, out _))
            .Select(entry => $"{entry.Path} must be a TimeSpan such as 00:05:00 (it is '{entry.Value}').")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
