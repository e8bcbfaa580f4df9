-- Test webhooks ("Send test" on the settings): marked in the Webhook Log so the portal can badge them.
-- A constant default adds the column without rewriting the table; every earlier row is a survey's.
ALTER TABLE webhook_log ADD COLUMN is_test boolean NOT NULL DEFAULT false;
