using CIOPulse.Grains;
using Npgsql;

namespace CIOPulse.Persistence.Postgres;

/// <summary>
/// The accounts stored in <c>grain_state</c>: the rows of the account state, whose key is the state
/// name and the whole grain id (<c>7:account:account/{accountId}</c>, see <see cref="PostgresGrainStorage"/>).
/// </summary>
public sealed class PostgresAccountCatalog(NpgsqlDataSource dataSource, string serviceId) : IAccountCatalog
{
    private static readonly string Prefix = PostgresGrainStorage.KeyPrefix(AccountGrain.StateName, "account");

    // The prefix holds no LIKE wildcard; on the "C"-collated key, LIKE 'prefix%' is a range of the primary key.
    private const string Query = "SELECT grain_id FROM grain_state WHERE service_id = $1 AND grain_id LIKE $2 ORDER BY grain_id";

    public async Task<IReadOnlyList<string>> ListAccountIdsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Query);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Prefix + "%" });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0)[Prefix.Length..]);
        }

        return ids;
    }
}
