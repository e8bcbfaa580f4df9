using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CIOPulse.Grains;
using Microsoft.Extensions.Configuration;

namespace CIOPulse.Tests.Unit;

public sealed class WebhookOptionsTests
{
    private static readonly TimeSpan[] _articleDelays =
        [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(40)];

    [Fact]
    public void Default_retry_delays_are_5_10_20_40_minutes()
    {
        Assert.Equal(_articleDelays, WebhookOptions.DefaultRetryDelays);
    }

    [Fact]
    public void Effective_delays_fall_back_to_the_defaults_when_none_are_configured()
    {
        var options = new WebhookOptions { RetryDelays = null };

        Assert.Equal(_articleDelays, options.EffectiveRetryDelays);
    }

    [Fact]
    public void Effective_delays_fall_back_to_the_defaults_when_the_list_is_empty()
    {
        var options = new WebhookOptions { RetryDelays = [] };

        Assert.Equal(_articleDelays, options.EffectiveRetryDelays);
    }

    [Fact]
    public void Effective_delays_are_the_configured_list_when_one_is_given()
    {
        var options = new WebhookOptions { RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)] };

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)], options.EffectiveRetryDelays);
    }

    [Fact]
    public void Binding_RetryDelays_from_configuration_yields_exactly_the_configured_list()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Webhooks:RetryDelays:0"] = "00:00:02",
                ["Webhooks:RetryDelays:1"] = "00:00:04",
                ["Webhooks:RetryDelays:2"] = "00:00:08",
            })
            .Build();

        var options = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>();

        Assert.NotNull(options);
        TimeSpan[] expected = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];
        Assert.Equal(expected, options.RetryDelays);
        Assert.Equal(expected, options.EffectiveRetryDelays);
        Assert.Equal(4, new RetrySchedule(options.EffectiveRetryDelays).MaxAutomaticAttempts);
    }

    [Fact]
    public void Binding_onto_a_fresh_instance_does_not_append_to_the_defaults()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:RetryDelays:0"] = "00:00:02" })
            .Build();
        var options = new WebhookOptions();

        configuration.GetSection(WebhookOptions.SectionName).Bind(options);

        Assert.Equal([TimeSpan.FromSeconds(2)], options.EffectiveRetryDelays);
    }

    [Fact]
    public void Binding_without_RetryDelays_gives_the_default_schedule()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Webhooks:AllowPrivateNetworks"] = "true" })
            .Build();

        var options = configuration.GetSection(WebhookOptions.SectionName).Get<WebhookOptions>();

        Assert.NotNull(options);
        Assert.True(options.AllowPrivateNetworks);
        Assert.Equal(_articleDelays, options.EffectiveRetryDelays);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("-01:00:00")]
    public void Validate_rejects_a_zero_or_negative_delay_naming_the_key(string badDelay)
    {
        var options = new WebhookOptions
        {
            RetryDelays = [TimeSpan.FromSeconds(2), TimeSpan.Parse(badDelay, CultureInfo.InvariantCulture)],
        };

        var results = options.Validate(new ValidationContext(options)).ToList();

        var result = Assert.Single(results);
        Assert.Contains("Webhooks:RetryDelays", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(nameof(WebhookOptions.RetryDelays), result.MemberNames);
    }

    [Fact]
    public void Validation_of_the_whole_object_fails_for_a_zero_delay()
    {
        var options = new WebhookOptions { RetryDelays = [TimeSpan.Zero] };
        var results = new List<ValidationResult>();

        var valid = Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(results, r => r.ErrorMessage!.Contains("Webhooks:RetryDelays", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_accepts_positive_delays_and_the_unset_default()
    {
        var custom = new WebhookOptions { RetryDelays = [TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(2)] };
        var unset = new WebhookOptions();

        Assert.Empty(custom.Validate(new ValidationContext(custom)));
        Assert.Empty(unset.Validate(new ValidationContext(unset)));
    }

    [Fact]
    public void The_signing_secret_overlap_is_24_hours_by_default_and_must_be_from_1_second_to_30_days()
    {
        Assert.Equal(TimeSpan.FromHours(24), new WebhookOptions().SigningSecretOverlap);
        Assert.Empty(Problems(new WebhookOptions { SigningSecretOverlap = TimeSpan.FromSeconds(2) }));
        Assert.Contains(Problems(new WebhookOptions { SigningSecretOverlap = TimeSpan.Zero }),
            problem => problem.Contains("Webhooks:SigningSecretOverlap", StringComparison.Ordinal));
        Assert.Contains(Problems(new WebhookOptions { SigningSecretOverlap = TimeSpan.FromDays(31) }),
            problem => problem.Contains("Webhooks:SigningSecretOverlap", StringComparison.Ordinal));
    }

    private static List<string> Problems(WebhookOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(result => result.ErrorMessage ?? "")];
    }
}
