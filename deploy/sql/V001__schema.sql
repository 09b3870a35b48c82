-- V001: grain state and the client registry.
-- Applied once by Granary.PostgreSql.Migrations.PostgreSqlMigrator (in one transaction, recorded in
-- granary_schema_version). Never edit an applied migration: add V00N__name.sql instead.

-- Etags come from one sequence shared by every grain, so an etag is never reused, not even after a
-- clear followed by a new first write (a stale writer that read before the clear can never match).
CREATE SEQUENCE granary_grain_etag_seq AS bigint;

-- One row per grain with stored state. payload is the grain's own encoding; etag changes on every
-- write (compare-and-set: UPDATE ... WHERE etag = @expected).
CREATE TABLE granary_grain_state (
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    etag        bigint      NOT NULL,
    payload     bytea       NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key)
);

-- Registered per-client token-bucket limits (the admin API's /clients). COLLATE "C" makes the primary
-- key order byte order, which is the ordinal order the admin API pages in.
CREATE TABLE granary_client (
    client_id     text COLLATE "C" PRIMARY KEY,
    capacity      bigint           NOT NULL CHECK (capacity BETWEEN 1 AND 1000000000),
    rate_per_sec  double precision NOT NULL CHECK (rate_per_sec > 0 AND rate_per_sec <= 1000000000),
    created_at    timestamptz      NOT NULL,
    updated_at    timestamptz      NOT NULL
);
