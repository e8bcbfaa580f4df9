using System.ComponentModel.DataAnnotations;

namespace CIOPulse.Api;

/// <summary>The <c>Api</c> configuration section.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>The system key (SPEC §4): may do everything. At least 16 characters.</summary>
    [Required(ErrorMessage = "Api:SystemKey is required (at least 16 characters); set it in configuration or Api__SystemKey.")]
    [MinLength(16, ErrorMessage = "Api:SystemKey must be at least 16 characters.")]
    public string SystemKey { get; set; } = "";
}
