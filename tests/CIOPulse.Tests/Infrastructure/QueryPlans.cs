using System.Reflection;
using System.Text.Json;
using Npgsql;

namespace CIOPulse.Tests.Infrastructure;

/// <summary>
/// What the query-plan tests share: the product's own SQL, running an <c>EXPLAIN (…, FORMAT JSON)</c>
/// and walking its nodes.
/// </summary>
public static class QueryPlans
{
    /// <summary>A store's private SQL constant, so a test follows any change to the statement.</summary>
    public static string Statement(Type owner, string name) =>
        (string)owner.GetField(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;

    /// <summary>The top plan node of an EXPLAIN command's JSON answer.</summary>
    public static async Task<JsonElement> PlanAsync(NpgsqlCommand explain)
    {
        var json = (string)(await explain.ExecuteScalarAsync())!;
        using var document = JsonDocument.Parse(json);
        return document.RootElement[0].GetProperty("Plan").Clone();
    }

    /// <summary>The node and every node below it, depth first.</summary>
    public static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }
}
