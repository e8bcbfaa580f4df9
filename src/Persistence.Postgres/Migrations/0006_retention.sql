-- The retention (Webhooks:RetentionDays): a webhook whose payload and response bodies were removed
-- keeps its log row, marked expired. A constant default: adding the column rewrites nothing.
ALTER TABLE webhook_log ADD COLUMN expired boolean NOT NULL DEFAULT false;

-- The sweep's candidates, oldest activity first: current versions only, not yet expired, finished
-- (status 0 is InProgress). Partial, so it holds only what is still to expire, and shrinks as the
-- sweep works.
CREATE INDEX webhook_log_retention ON webhook_log (last_activity, webhook_id)
    WHERE replaced_xid IS NULL AND NOT expired AND status <> 0;
