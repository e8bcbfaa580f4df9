-- Webhook delivery state, written by this project's group-committing grain storage
-- (PostgresGrainStorage): many grains' writes share one transaction. One row per grain; version is
-- the ETag (optimistic concurrency); payload is the Orleans binary serialization of the state.
CREATE TABLE grain_state (
    service_id  varchar(150) NOT NULL,
    grain_id    varchar(512) COLLATE "C" NOT NULL,
    version     integer NOT NULL,
    payload     bytea NOT NULL,
    modified_on timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_id)
);
