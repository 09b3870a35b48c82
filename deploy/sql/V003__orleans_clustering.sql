-- V003: cluster membership for Orleans's ADO.NET clustering provider
-- (Microsoft.Orleans.Clustering.AdoNet, Invariant "Npgsql"), written for Granary.
-- Applied once by Granary.PostgreSql.Migrations.PostgreSqlMigrator (in one transaction, recorded in
-- granary_schema_version). Never edit an applied migration: add V00N__name.sql instead.
--
-- How the provider talks to the database: at start it reads every row of OrleansQuery and from then on
-- runs only those texts, binding named parameters (@DeploymentId, @Address, ...) and reading result
-- columns by name. The query keys, parameter names and types, and result column names below are that
-- contract; the tables behind them are Granary's own.
--   @DeploymentId  text     ClusterOptions.ClusterId
--   @Address       text     the silo's IP address (IPAddress.ToString())
--   @Port          integer  the silo-to-silo port; with @Address and @Generation it names one silo process
--   @Generation    integer  the silo's generation (a new one at every start)
--   @Status        integer  Orleans.Runtime.SiloStatus (3 = Active, 6 = Dead, ...)
--   @Version       integer  the membership version the caller read (the table's etag)
--   timestamps     UTC DateTime values, kept as timestamptz
-- Queries that answer TRUE/FALSE return one row with one column: its count of changed rows (0 = FALSE).

-- The provider reads its SQL from here. Unquoted names fold to lower case (orleansquery, querykey,
-- querytext); the provider's own "SELECT QueryKey, QueryText FROM OrleansQuery" folds the same way.
-- V004 adds the grain-storage keys.
CREATE TABLE OrleansQuery (
    QueryKey   text PRIMARY KEY,
    QueryText  text NOT NULL
);

-- One row per cluster: its membership version. Every change of a silo's row (join, status change,
-- suspicion) is a compare-and-swap on this version in the same statement, so concurrent writers of
-- one cluster serialize on this row's lock and exactly one of them wins each version.
CREATE TABLE granary_orleans_cluster (
    cluster_id  text        PRIMARY KEY,
    version     integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    changed_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per silo process. Heartbeats (i_am_alive_time) do not change the cluster version.
-- suspect_times is Orleans's own encoding ("silo,time|silo,time"), kept verbatim.
CREATE TABLE granary_orleans_silo (
    cluster_id       text        NOT NULL REFERENCES granary_orleans_cluster (cluster_id) ON DELETE CASCADE,
    address          text        NOT NULL,
    port             integer     NOT NULL,
    generation       integer     NOT NULL,
    silo_name        text        NOT NULL,
    host_name        text        NOT NULL,
    status           integer     NOT NULL,
    proxy_port       integer     NOT NULL,
    suspect_times    text,
    start_time       timestamptz NOT NULL,
    i_am_alive_time  timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);

-- The gateway list is read by every client at each refresh: Active silos of one cluster.
CREATE INDEX granary_orleans_silo_by_status ON granary_orleans_silo (cluster_id, status);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Creates the cluster's version row (version 0) unless it exists. Returns 1 when created, else 0.
('InsertMembershipVersionKey', $sql$
WITH created AS (
    INSERT INTO granary_orleans_cluster (cluster_id)
    VALUES (CAST(@DeploymentId AS text))
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING cluster_id
)
SELECT count(*) AS inserted FROM created
$sql$),

-- A silo joins: adds its row and moves the version from @Version to @Version + 1, both or neither.
-- Returns 0 when the version moved meanwhile (the caller re-reads and retries) or the silo's row
-- already exists.
('InsertMembershipKey', $sql$
WITH bumped AS (
    UPDATE granary_orleans_cluster AS c
    SET version = c.version + 1, changed_at = now()
    WHERE c.cluster_id = CAST(@DeploymentId AS text)
      AND c.version = CAST(@Version AS integer)
      AND NOT EXISTS (
          SELECT 1 FROM granary_orleans_silo AS s
          WHERE s.cluster_id = c.cluster_id
            AND s.address = CAST(@Address AS text)
            AND s.port = CAST(@Port AS integer)
            AND s.generation = CAST(@Generation AS integer))
    RETURNING c.cluster_id
), added AS (
    INSERT INTO granary_orleans_silo (cluster_id, address, port, generation, silo_name, host_name,
                                      status, proxy_port, start_time, i_am_alive_time)
    SELECT bumped.cluster_id, CAST(@Address AS text), CAST(@Port AS integer), CAST(@Generation AS integer),
           coalesce(CAST(@SiloName AS text), ''), coalesce(CAST(@HostName AS text), ''),
           CAST(@Status AS integer), coalesce(CAST(@ProxyPort AS integer), 0),
           CAST(@StartTime AS timestamptz), CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    ON CONFLICT (cluster_id, address, port, generation) DO NOTHING
    RETURNING 1
)
SELECT count(*) AS inserted FROM added
$sql$),

-- A silo's status, suspicions and alive time change, with the same compare-and-swap on the version.
-- Returns 0 when the version moved meanwhile or the silo has no row.
('UpdateMembershipKey', $sql$
WITH bumped AS (
    UPDATE granary_orleans_cluster AS c
    SET version = c.version + 1, changed_at = now()
    WHERE c.cluster_id = CAST(@DeploymentId AS text)
      AND c.version = CAST(@Version AS integer)
      AND EXISTS (
          SELECT 1 FROM granary_orleans_silo AS s
          WHERE s.cluster_id = c.cluster_id
            AND s.address = CAST(@Address AS text)
            AND s.port = CAST(@Port AS integer)
            AND s.generation = CAST(@Generation AS integer))
    RETURNING c.cluster_id
), changed AS (
    UPDATE granary_orleans_silo AS s
    SET status = CAST(@Status AS integer),
        suspect_times = CAST(@SuspectTimes AS text),
        i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
    FROM bumped
    WHERE s.cluster_id = bumped.cluster_id
      AND s.address = CAST(@Address AS text)
      AND s.port = CAST(@Port AS integer)
      AND s.generation = CAST(@Generation AS integer)
    RETURNING 1
)
SELECT count(*) AS updated FROM changed
$sql$),

-- Heartbeat: only the alive time; no version change. Orleans ignores the result.
('UpdateIAmAlivetimeKey', $sql$
UPDATE granary_orleans_silo
SET i_am_alive_time = CAST(@IAmAliveTime AS timestamptz)
WHERE cluster_id = CAST(@DeploymentId AS text)
  AND address = CAST(@Address AS text)
  AND port = CAST(@Port AS integer)
  AND generation = CAST(@Generation AS integer)
$sql$),

-- One silo's row with the cluster version. Always at least one row: with no such silo its columns
-- are NULL (Orleans reads "no StartTime" as "no entry"), and with no version row the version is 0.
('MembershipReadRowKey', $sql$
SELECT coalesce(c.version, 0) AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status",
       s.proxy_port AS "ProxyPort", s.suspect_times AS "SuspectTimes",
       s.start_time AS "StartTime", s.i_am_alive_time AS "IAmAliveTime"
FROM (SELECT CAST(@DeploymentId AS text) AS cluster_id) AS wanted
LEFT JOIN granary_orleans_cluster AS c ON c.cluster_id = wanted.cluster_id
LEFT JOIN granary_orleans_silo AS s
       ON s.cluster_id = c.cluster_id
      AND s.address = CAST(@Address AS text)
      AND s.port = CAST(@Port AS integer)
      AND s.generation = CAST(@Generation AS integer)
$sql$),

-- Every silo of the cluster with the cluster version (one row of NULLs when there is none, as above).
('MembershipReadAllKey', $sql$
SELECT coalesce(c.version, 0) AS "Version",
       s.address AS "Address", s.port AS "Port", s.generation AS "Generation",
       s.silo_name AS "SiloName", s.host_name AS "HostName", s.status AS "Status",
       s.proxy_port AS "ProxyPort", s.suspect_times AS "SuspectTimes",
       s.start_time AS "StartTime", s.i_am_alive_time AS "IAmAliveTime"
FROM (SELECT CAST(@DeploymentId AS text) AS cluster_id) AS wanted
LEFT JOIN granary_orleans_cluster AS c ON c.cluster_id = wanted.cluster_id
LEFT JOIN granary_orleans_silo AS s ON s.cluster_id = c.cluster_id
ORDER BY s.start_time, s.address, s.port, s.generation
$sql$),

-- Forgets the whole cluster: its version row and (by the foreign key's cascade) every silo row.
('DeleteMembershipTableEntriesKey', $sql$
DELETE FROM granary_orleans_cluster
WHERE cluster_id = CAST(@DeploymentId AS text)
$sql$),

-- The gateways clients may connect to: silos in status @Status (Active) with a gateway port.
('GatewaysQueryKey', $sql$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM granary_orleans_silo
WHERE cluster_id = CAST(@DeploymentId AS text)
  AND status = CAST(@Status AS integer)
  AND proxy_port > 0
$sql$),

-- Removes rows of silos that are not Active (3) and have not been alive since @IAmAliveTime
-- (Orleans's cleanup agent passes now minus ClusterMembershipOptions.DefunctSiloExpiration).
('CleanupDefunctSiloEntriesKey', $sql$
DELETE FROM granary_orleans_silo
WHERE cluster_id = CAST(@DeploymentId AS text)
  AND i_am_alive_time < CAST(@IAmAliveTime AS timestamptz)
  AND status <> 3
$sql$);
