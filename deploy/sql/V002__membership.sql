-- V002: cluster membership (Granary.PostgreSql.Membership.PostgreSqlMembershipTable).
-- Applied once by Granary.PostgreSql.Migrations.PostgreSqlMigrator (in one transaction, recorded in
-- granary_schema_version). Never edit an applied migration: add V00N__name.sql instead.
--
-- Protocol (see src/Runtime/Membership/MembershipService.cs):
-- * granary_cluster.version is the membership version. Every status change (insert of a silo row,
--   status update, declaring a silo Dead) is ONE transaction that does the compare-and-swap
--     UPDATE granary_cluster SET version = version + 1 WHERE cluster_id = $1 AND version = $expected
--   (0 rows: a lost race, roll back), the silo row change, and pg_notify('granary_membership', cluster_id).
-- * A heartbeat only sets lease_until = now() + lease, in database time (no version change, no notify),
--   so clock skew between hosts does not matter. A row whose lease_until < now() is declared Dead by
--   a live silo with the same compare-and-swap.
-- * status: 1 Joining, 2 Active, 3 ShuttingDown, 4 Dead. It only moves forward; Dead is terminal, and
--   a restarted silo is a new row (new generation).

CREATE TABLE granary_cluster (
    cluster_id  text   PRIMARY KEY,
    version     bigint NOT NULL CHECK (version >= 0)
);

CREATE TABLE granary_silo (
    cluster_id   text        NOT NULL REFERENCES granary_cluster (cluster_id) ON DELETE CASCADE,
    host         text        NOT NULL,
    port         int         NOT NULL CHECK (port BETWEEN 1 AND 65535),
    generation   bigint      NOT NULL,
    http_port    int                  CHECK (http_port BETWEEN 1 AND 65535),
    status       smallint    NOT NULL CHECK (status BETWEEN 1 AND 4),
    lease_until  timestamptz NOT NULL,
    joined_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, host, port, generation)
);
