namespace CIOPulse.Api.Json;

/// <summary>
/// Parses an enum from exactly one of its names, ignoring case. Unlike <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>
/// it refuses numbers ("1", "+1") and flag lists ("A,B"), which would silently become another value.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
