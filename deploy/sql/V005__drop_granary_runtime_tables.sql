-- V005: drops what the home-made grain runtime kept in PostgreSQL; Orleans's providers (V003, V004)
-- replace it. The client registry (granary_client, V001) stays.
-- Applied once by Granary.PostgreSql.Migrations.PostgreSqlMigrator (in one transaction, recorded in
-- granary_schema_version). Never edit an applied migration: add V00N__name.sql instead.
--
-- Grain state written by the old runtime is not carried over: its payloads were the runtime's own
-- encoding, which Orleans's serializer does not read. Client buckets start full again after the
-- upgrade (their limits, in granary_client, are kept).

-- Membership (V002): the silo table first, then the clusters it referenced.
DROP TABLE IF EXISTS granary_silo;
DROP TABLE IF EXISTS granary_cluster;

-- Grain state (V001) and the sequence its etags came from.
DROP TABLE IF EXISTS granary_grain_state;
DROP SEQUENCE IF EXISTS granary_grain_etag_seq;
