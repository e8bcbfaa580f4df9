using System.Globalization;
using CIOPulse.Grains;
using Npgsql;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// The accounts stored by Orleans' ADO.NET grain storage (table <c>orleansstorage</c>, rows of the
/// account state for this service id). That provider keeps a string key in
/// <c>grainidextensionstring</c>, but a key that parses as a hexadecimal number or a GUID in
/// <c>grainidn0</c>/<c>grainidn1</c> instead (so account <c>cafe</c> is stored as 0xCAFE); such ids
/// are given back in their canonical form (lowercase hex without leading zeros, GUID without dashes).
/// An id with leading zeros (<c>0cafe</c>) comes back without them; the provider keeps it in the
/// same row as <c>cafe</c> anyway, and its password, bound to the id it was stored under, is then
/// reported undecryptable rather than lost.
/// </summary>
public sealed class PostgresAccountCatalog(NpgsqlDataSource dataSource, string serviceId) : IAccountCatalog
{
    private const string Query =
        "SELECT grainidn0, grainidn1, grainidextensionstring FROM orleansstorage WHERE serviceid = $1 AND graintypestring = $2";

    public async Task<IReadOnlyList<string>> ListAccountIdsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Query);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = AccountGrain.StateName });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var n0 = reader.GetInt64(0);
            var n1 = reader.GetInt64(1);
            ids.Add(reader.IsDBNull(2) ? NumericKey(n0, n1) : reader.GetString(2));
        }

        return [.. ids];
    }

    private static string NumericKey(long n0, long n1)
    {
        if (n0 == 0)
        {
            return n1.ToString("x", CultureInfo.InvariantCulture);
        }

        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), n0);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), n1);
        return new Guid(bytes).ToString("N");
    }
}
