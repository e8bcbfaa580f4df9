using System.Net;
using Microsoft.Extensions.Options;

namespace CIOPulse.Api;

/// <summary>
/// The <c>Orleans</c> configuration section, the same for silos and gateways: which cluster, and
/// (for silos) their ports and the address other nodes reach them at.
/// </summary>
public sealed class ClusterSettings
{
    public const string SectionName = "Orleans";

    public string ClusterId { get; set; } = "ciopulse";

    public string ServiceId { get; set; } = "ciopulse-webhooks";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string? AdvertisedIPAddress { get; set; }

    /// <summary>The section as configured, or an exception naming every key that is wrong.</summary>
    /// <remarks>Read before the host is built (Orleans is configured from it), so checked here rather than at start.</remarks>
    public static ClusterSettings Read(IConfiguration configuration)
    {
        ClusterSettings settings;
        try
        {
            settings = configuration.GetSection(SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key and the value it could not convert.
            throw new OptionsValidationException(SectionName, typeof(ClusterSettings), [e.Message]);
        }

        var result = new ClusterSettingsValidator().Validate(null, settings);
        return result.Failed ? throw new OptionsValidationException(SectionName, typeof(ClusterSettings), result.Failures) : settings;
    }
}

/// <summary>Ports in range and distinct, ids present, an advertised address that is an IP address.</summary>
public sealed class ClusterSettingsValidator : IValidateOptions<ClusterSettings>
{
    public ValidateOptionsResult Validate(string? name, ClusterSettings options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add("Orleans:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add("Orleans:ServiceId must not be empty.");
        }

        foreach (var (key, port) in new[] { ("Orleans:SiloPort", options.SiloPort), ("Orleans:GatewayPort", options.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                failures.Add($"{key} must be a TCP port from 1 to 65535 (it is {port}).");
            }
        }

        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add($"Orleans:SiloPort and Orleans:GatewayPort must differ (both are {options.SiloPort}).");
        }

        if (!string.IsNullOrWhiteSpace(options.AdvertisedIPAddress) && !IPAddress.TryParse(options.AdvertisedIPAddress, out _))
        {
            failures.Add($"Orleans:AdvertisedIPAddress must be an IP address (it is '{options.AdvertisedIPAddress}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
