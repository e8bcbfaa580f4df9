using System.Text.Json;

namespace CIOPulse.Api.Json;

/// <summary>
/// Typed reads of one member of a request object. Each returns false with a message that the caller
/// turns into a 400 naming the field; absent and null members are "not given".
/// </summary>
public static class JsonFields
{
    public static bool TryGetString(JsonElement obj, string name, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"must be a string, not {Describe(element.ValueKind)}.";
            return false;
        }

        value = element.GetString();
        return true;
    }

    public static bool TryGetBool(JsonElement obj, string name, out bool? value, out string? error)
    {
        value = null;
        error = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = $"must be true or false, not {Describe(element.ValueKind)}.";
            return false;
        }

        value = element.GetBoolean();
        return true;
    }

    public static bool TryGetInt(JsonElement obj, string name, out int? value, out string? error)
    {
        value = null;
        error = null;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var number))
        {
            error = element.ValueKind == JsonValueKind.Number ? "must be a whole number." : $"must be a number, not {Describe(element.ValueKind)}.";
            return false;
        }

        value = number;
        return true;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
