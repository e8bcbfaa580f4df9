-- The Webhook Log index. Each change of a webhook adds a row version and closes the previous one,
-- stamped with the writing transactions' ids, so a listing pass that started at a PostgreSQL
-- snapshot sees every webhook exactly once, at its position as of that snapshot, however many
-- deliveries move rows while the customer pages. Closed versions are pruned after the cursor
-- lifetime.
CREATE TABLE webhook_log (
    webhook_id         char(13) COLLATE "C" NOT NULL,
    created_xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    replaced_xid       xid8 NULL,
    replaced_at        timestamptz NULL,
    account_id         varchar(64) NOT NULL,
    response_id        varchar(128) NOT NULL,
    listening_post     smallint NOT NULL,
    last_activity      timestamptz NOT NULL,
    last_response_code integer NULL,
    last_response      varchar(100) NULL,
    attempts           integer NOT NULL,
    status             smallint NOT NULL,
    PRIMARY KEY (webhook_id, created_xid)
);

-- At most one current version per webhook.
CREATE UNIQUE INDEX webhook_log_current ON webhook_log (webhook_id) WHERE replaced_xid IS NULL;

-- Keyset listing: newest activity first within an account, optionally within a status or post.
CREATE INDEX webhook_log_listing ON webhook_log (account_id, last_activity, webhook_id);
CREATE INDEX webhook_log_listing_status ON webhook_log (account_id, status, last_activity, webhook_id);
CREATE INDEX webhook_log_listing_post ON webhook_log (account_id, listening_post, last_activity, webhook_id);

-- Pruning finds closed versions by age.
CREATE INDEX webhook_log_replaced ON webhook_log (replaced_at) WHERE replaced_xid IS NOT NULL;
