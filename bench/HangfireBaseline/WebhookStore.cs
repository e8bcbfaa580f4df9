using CIOPulse.Grains;
using CIOPulse.Grains.Interfaces;
using Npgsql;
using NpgsqlTypes;

namespace CIOPulse.HangfireBaseline;

/// <summary>Webhooks (<c>baseline.webhooks</c>) and their attempt log (<c>baseline.webhook_attempts</c>).</summary>
public sealed class WebhookStore(NpgsqlDataSource dataSource)
{
    // One statement, so one transaction: the row is created only while the account has webhooks
    // on, and not at all when the completion (or the id) is already taken.
    private const string Insert =
        """
        INSERT INTO baseline.webhooks (id, account_id, listening_post, response_id, payload, status, attempts, accepted_utc, last_activity_utc)
        SELECT $1, a.id, $3, $4, $5, 'InProgress', 0, $6, $6
          FROM baseline.accounts a
         WHERE a.id = $2 AND a.webhooks_enabled AND a.plan IN ('Corporate', 'Enterprise')
        ON CONFLICT DO NOTHING
        RETURNING id
        """;

    // Why an insert made no row: the completion's existing webhook, and whether the account has
    // webhooks on (null: no such account).
    private const string Explain =
        """
        SELECT (SELECT w.id FROM baseline.webhooks w WHERE w.account_id = $1 AND w.listening_post = $2 AND w.response_id = $3),
               (SELECT a.webhooks_enabled AND a.plan IN ('Corporate', 'Enterprise') FROM baseline.accounts a WHERE a.id = $1)
        """;

    private const string Load =
        """
        SELECT w.account_id, w.payload, w.status,
               a.webhooks_enabled AND a.plan IN ('Corporate', 'Enterprise'), a.url, a.username, a.encrypted_password, a.servicenow_wrapper
          FROM baseline.webhooks w JOIN baseline.accounts a ON a.id = w.account_id
         WHERE w.id = $1
        """;

    // The attempt and the webhook's new status in one statement (one transaction). $3 is the
    // number of automatic attempts after which a failure is final; $6 is the log's last response
    // (the answer, or the network error), $9 the answer alone.
    private const string Record =
        """
        WITH attempt AS (
            UPDATE baseline.webhooks
               SET attempts = attempts + 1,
                   status = CASE WHEN $2 THEN 'Succeeded' WHEN attempts + 1 >= $3 THEN 'Failed' ELSE 'InProgress' END,
                   last_activity_utc = $4, last_response_code = $5, last_response = $6
             WHERE id = $1
            RETURNING id, attempts, status),
        logged AS (
            INSERT INTO baseline.webhook_attempts (webhook_id, number, started_utc, duration_ms, response_code, response, error)
            SELECT id, attempts, $4, $7, $5, $9, $8 FROM attempt)
        SELECT attempts, status FROM attempt
        """;

    /// <summary>True when the webhook row was created.</summary>
    public async Task<bool> TryInsertAsync(string webhookId, string accountId, SurveyCompletion completion, string payload, DateTime acceptedUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        await using var command = dataSource.CreateCommand(Insert);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhookId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = completion.ListeningPost.ToString() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = completion.ResponseId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = payload });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = acceptedUtc });
        return await command.ExecuteScalarAsync(cancellationToken) is string;
    }

    /// <summary>The webhook already made for this completion, and whether the account has webhooks on (null: no account).</summary>
    public async Task<(string? ExistingWebhookId, bool? WebhooksActive)> ExplainAsync(string accountId, ListeningPost listeningPost, string responseId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Explain);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = accountId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = listeningPost.ToString() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = responseId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetBoolean(1));
    }

    public async Task<PendingDelivery?> LoadAsync(string webhookId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Load);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhookId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var target = new DeliveryTarget(
            reader.GetBoolean(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetBoolean(7));
        return new PendingDelivery(reader.GetString(0), reader.GetString(1), Enum.Parse<WebhookStatus>(reader.GetString(2)), target);
    }

    /// <summary>Removes a webhook that no attempt was made for (its job could not be enqueued).</summary>
    public async Task DeleteUndeliveredAsync(string webhookId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM baseline.webhooks WHERE id = $1 AND attempts = 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhookId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Logs one attempt and returns its number and the webhook's status after it.</summary>
    public async Task<(int Number, WebhookStatus Status)> RecordAttemptAsync(
        string webhookId, AttemptOutcome outcome, int maxAutomaticAttempts, DateTime startedUtc, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var response = Truncate(outcome.Response);
        var lastResponse = response ?? Truncate(outcome.Error);

        await using var command = dataSource.CreateCommand(Record);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = webhookId });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = outcome.Succeeded });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxAutomaticAttempts });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = startedUtc });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.ResponseCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)lastResponse ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)Math.Min(int.MaxValue, duration.TotalMilliseconds) });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.Error ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)response ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Webhook {webhookId} disappeared while it was being delivered.");
        }

        return (reader.GetInt32(0), Enum.Parse<WebhookStatus>(reader.GetString(1)));
    }

    // The Webhook Log keeps the first 100 characters of a response, as the product's log does.
    private static string? Truncate(string? text) =>
        text is { Length: > CIOPulse.Grains.Delivery.WebhookDelivery.LogResponseLength } ? text[..CIOPulse.Grains.Delivery.WebhookDelivery.LogResponseLength] : text;
}
