-- The portal's Webhook Log search (by Response_ID; a Webhook_ID is found by the primary key) and
-- its chart of attempts per hour. The hourly counts are written in the same transaction as the log
-- row of the attempt they count, and kept for 8 days.
CREATE INDEX webhook_log_response ON webhook_log (account_id, response_id);

CREATE TABLE webhook_attempts_hourly (
    account_id varchar(64) NOT NULL,
    hour       timestamptz NOT NULL,
    succeeded  integer NOT NULL DEFAULT 0,
    failed     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, hour)
);
