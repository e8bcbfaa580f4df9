using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CIOPulse.Grains.BulkResend;

/// <summary>Bulk resend operation ids: 24 lowercase hex characters, random (nothing to learn from one).</summary>
public static partial class BulkResendIds
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static bool IsWellFormed(string? id) => id is not null && Shape().IsMatch(id);

    [GeneratedRegex("^[0-9a-f]{24}$")]
    private static partial Regex Shape();
}
