using Npgsql;

namespace CIOPulse.HangfireBaseline;

/// <summary>
/// The baseline's own tables (schema <c>baseline</c>), created at start-up; Hangfire's tables live
/// in schema <c>hangfire</c> of the same database and are installed by Hangfire.PostgreSql.
/// </summary>
public static class BaselineSchema
{
    private const string Ddl =
        """
        CREATE SCHEMA IF NOT EXISTS baseline;

        CREATE TABLE IF NOT EXISTS baseline.accounts (
            id                 text PRIMARY KEY,
            name               text NOT NULL,
            plan               text NOT NULL,
            webhooks_enabled   boolean NOT NULL DEFAULT false,
            url                text,
            username           text,
            encrypted_password text,
            servicenow_wrapper boolean NOT NULL DEFAULT false
        );

        CREATE TABLE IF NOT EXISTS baseline.webhooks (
            id                 text PRIMARY KEY,
            account_id         text NOT NULL REFERENCES baseline.accounts (id),
            listening_post     text NOT NULL,
            response_id        text NOT NULL,
            payload            text NOT NULL,
            status             text NOT NULL,
            attempts           integer NOT NULL DEFAULT 0,
            accepted_utc       timestamptz NOT NULL,
            last_activity_utc  timestamptz NOT NULL,
            last_response_code integer,
            last_response      text,
            UNIQUE (account_id, listening_post, response_id)
        );

        -- The Webhook Log lists an account's webhooks by last activity (SPEC §4); the index is kept
        -- up to date on every attempt, as the product keeps its log index.
        CREATE INDEX IF NOT EXISTS webhooks_by_activity ON baseline.webhooks (account_id, last_activity_utc DESC, id DESC);

        CREATE TABLE IF NOT EXISTS baseline.webhook_attempts (
            webhook_id    text NOT NULL REFERENCES baseline.webhooks (id),
            number        integer NOT NULL,
            started_utc   timestamptz NOT NULL,
            duration_ms   integer NOT NULL,
            response_code integer,
            response      text,
            error         text,
            PRIMARY KEY (webhook_id, number)
        );
        """;

    public static async Task EnsureCreatedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(Ddl);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
