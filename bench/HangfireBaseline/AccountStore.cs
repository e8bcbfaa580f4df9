using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Npgsql;
using NpgsqlTypes;

namespace CIOPulse.HangfireBaseline;

/// <summary>Accounts and their webhook settings in <c>baseline.accounts</c>.</summary>
public sealed class AccountStore(NpgsqlDataSource dataSource, SecretProtector secrets)
{
    // A downgrade turns webhooks off (SPEC §3).
    private const string Upsert =
        """
        INSERT INTO baseline.accounts (id, name, plan) VALUES ($1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, plan = EXCLUDED.plan,
            webhooks_enabled = accounts.webhooks_enabled AND EXCLUDED.plan IN ('Corporate', 'Enterprise')
        """;

    private const string SelectPlan = "SELECT plan FROM baseline.accounts WHERE id = $1";

    // $6 says whether the password changes: null in the request keeps the stored one.
    private const string UpdateSettings =
        """
        UPDATE baseline.accounts
           SET webhooks_enabled = $2, url = $3, username = $4, servicenow_wrapper = $5,
               encrypted_password = CASE WHEN $6 THEN $7 ELSE encrypted_password END
         WHERE id = $1
        RETURNING webhooks_enabled, url, username, encrypted_password IS NOT NULL, servicenow_wrapper
        """;

    public async Task<Account> UpsertAsync(string accountId, string name, AccountPlan plan, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Upsert);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = plan.ToString() });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new Account(accountId, name, plan);
    }

    /// <summary>The account's plan, or null when there is no such account.</summary>
    public async Task<AccountPlan?> GetPlanAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(SelectPlan);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        return await command.ExecuteScalarAsync(cancellationToken) is string plan ? Enum.Parse<AccountPlan>(plan) : null;
    }

    /// <summary>Stores validated settings; the password (when given) is encrypted as the product does.</summary>
    public async Task<WebhookSettings?> UpdateSettingsAsync(string accountId, WebhookSettingsUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var encrypted = update.Password is { Length: > 0 } password ? secrets.Protect(password, accountId) : null;
        await using var command = dataSource.CreateCommand(UpdateSettings);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = update.Enabled });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)update.Url ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)update.Username ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = update.ServiceNowWrapper });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = update.Password is not null });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)encrypted ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new WebhookSettings(
            reader.GetBoolean(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.GetBoolean(3),
            reader.GetBoolean(4));
    }
}
