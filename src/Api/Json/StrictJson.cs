using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace CIOPulse.Api.Json;

/// <summary>
/// What the JSON parser lets through but a request body must not hold: text that is not UTF-8
/// (invalid, overlong or truncated sequences, encoded surrogates) or escapes an unpaired surrogate,
/// in a value or a member name, and a member given twice in one object. The parser accepts these
/// because it decodes strings only when they are read; an endpoint reading one would then fail
/// with InvalidOperationException, and of two equal members it would silently use one.
/// </summary>
/// <remarks>
/// <see cref="JsonDocumentOptions.AllowDuplicateProperties"/> (new in .NET 10) also refuses
/// duplicates, but it names no path and, while checking, throws InvalidOperationException for a
/// member name escaping a lone surrogate; this walk names the member at fault either way.
/// </remarks>
public static class StrictJson
{
    public const string NotText = "is not valid text: it holds bytes that are not UTF-8, or a \\u escape of an unpaired surrogate.";

    public const string NameNotText = "is a member name that is not valid text (bytes that are not UTF-8, or a \\u escape of an unpaired surrogate).";

    public const string Repeated = "appears more than once in its object; send each member once.";

    /// <summary>How much of a member name a problem repeats.</summary>
    private const int MaxShownNameLength = 100;

    /// <summary>The first fault in document order: its path (<c>Customer.name</c>, <c>Selected_Factors[1]</c>) and what is wrong; null when there is none.</summary>
    public static (string Field, string Message)? FindFault(JsonElement root) => Check(root, "");

    private static (string Field, string Message)? Check(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? seen = null;
                foreach (var member in element.EnumerateObject())
                {
                    if (!TryGetName(member, out var name))
                    {
                        return (Join(path, Shown(Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8PropertyName(member)))), NameNotText);
                    }

                    var field = Join(path, Shown(name));
                    seen ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!seen.Add(name))
                    {
                        return (field, Repeated);
                    }

                    if (Check(member.Value, field) is { } fault)
                    {
                        return fault;
                    }
                }

                return null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Check(item, $"{path}[{index++}]") is { } fault)
                    {
                        return fault;
                    }
                }

                return null;

            case JsonValueKind.String:
                return IsText(element) ? null : (path, NotText);

            default:
                return null;
        }
    }

    /// <summary>Whether a string value decodes; without escapes that is checked on its bytes, without making the string.</summary>
    private static bool IsText(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.IndexOf((byte)'\\') < 0)
        {
            return Utf8.IsValid(raw);
        }

        try
        {
            _ = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryGetName(JsonProperty member, out string name)
    {
        try
        {
            name = member.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    private static string Shown(string name) => name.Length <= MaxShownNameLength ? name : name[..MaxShownNameLength] + "…";

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
