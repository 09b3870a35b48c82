-- V004: grain state for Orleans's ADO.NET grain storage provider
-- (Microsoft.Orleans.Persistence.AdoNet, Invariant "Npgsql"), written for Granary.
-- Applied once by Granary.PostgreSql.Migrations.PostgreSqlMigrator (in one transaction, recorded in
-- granary_schema_version). Never edit an applied migration: add V00N__name.sql instead.
--
-- The provider's contract (query keys in OrleansQuery, created by V003; named parameters; result
-- columns read by name):
--   @ServiceId               text     ClusterOptions.ServiceId
--   @GrainTypeString         text     the state's name ([PersistentState("bucket", ...)] → 'bucket')
--   @GrainIdN0, @GrainIdN1   bigint   a Guid key's two halves, an integer key in N1, or 0 and 0
--   @GrainIdExtensionString  text     a string key, or an integer/Guid key's extension; NULL when none
--   @GrainIdHash, @GrainTypeHash  integer  hashes the provider computes; not needed here
--   @GrainStateVersion       integer  the etag the grain holds; NULL when it never read a stored row
--   @PayloadBinary           bytea    the state as the provider's serializer wrote it
-- A write or clear answers the new version; a version equal to the one sent, NULL, or no row at all
-- makes the provider throw InconsistentStateException (someone else wrote first).
--
-- Note: the grain's type is not among the parameters (only its key and the state's name), so two grain
-- classes with equal keys must not use the same state name in one storage provider.

-- The key of one grain's state within a service and state name: SHA-256 of "n0:n1" plus "/extension"
-- when there is one (NULL and '' stay apart). A digest keeps the primary key's entries small whatever
-- the length of a string key. IMMUTABLE holds because a database's encoding never changes.
CREATE FUNCTION granary_orleans_grain_key(n0 bigint, n1 bigint, extension text)
RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT sha256(convert_to(n0::text || ':' || n1::text || coalesce('/' || extension, ''), 'UTF8'))
$fn$;

-- One row per stored grain state. payload is NULL after a clear (the row and its version stay, so a
-- writer holding an etag from before the clear still loses). version starts at 1 and grows by one at
-- every write or clear.
CREATE TABLE granary_orleans_grain_state (
    service_id    text        NOT NULL,
    state_name    text        NOT NULL,
    grain_id_n0   bigint      NOT NULL,
    grain_id_n1   bigint      NOT NULL,
    grain_id_ext  text,
    grain_key     bytea       NOT NULL GENERATED ALWAYS AS (granary_orleans_grain_key(grain_id_n0, grain_id_n1, grain_id_ext)) STORED,
    payload       bytea,
    version       integer     NOT NULL CHECK (version >= 1),
    modified_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT granary_orleans_grain_state_pkey PRIMARY KEY (service_id, state_name, grain_key)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- The state and its version; no row when the grain never wrote. The payload is NULL after a clear.
('ReadFromStorageKey', $sql$
SELECT payload AS "PayloadBinary", version AS "Version"
FROM granary_orleans_grain_state
WHERE service_id = CAST(@ServiceId AS text)
  AND state_name = CAST(@GrainTypeString AS text)
  AND grain_key = granary_orleans_grain_key(CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
                                            CAST(@GrainIdExtensionString AS text))
$sql$),

-- With a version: replace the state if the stored version is still that one, answering version + 1.
-- Without one (the grain saw no row): create the row at version 1, unless another writer did first.
-- Either way no row (→ InconsistentStateException) when the condition fails.
('WriteToStorageKey', $sql$
WITH replaced AS (
    UPDATE granary_orleans_grain_state
    SET payload = CAST(@PayloadBinary AS bytea), version = version + 1, modified_at = now()
    WHERE CAST(@GrainStateVersion AS integer) IS NOT NULL
      AND service_id = CAST(@ServiceId AS text)
      AND state_name = CAST(@GrainTypeString AS text)
      AND grain_key = granary_orleans_grain_key(CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
                                                CAST(@GrainIdExtensionString AS text))
      AND version = CAST(@GrainStateVersion AS integer)
    RETURNING version
), created AS (
    INSERT INTO granary_orleans_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_ext, payload, version)
    SELECT CAST(@ServiceId AS text), CAST(@GrainTypeString AS text), CAST(@GrainIdN0 AS bigint),
           CAST(@GrainIdN1 AS bigint), CAST(@GrainIdExtensionString AS text), CAST(@PayloadBinary AS bytea), 1
    WHERE CAST(@GrainStateVersion AS integer) IS NULL
    ON CONFLICT ON CONSTRAINT granary_orleans_grain_state_pkey DO NOTHING
    RETURNING version
)
SELECT version AS "NewGrainStateVersion" FROM replaced
UNION ALL
SELECT version FROM created
$sql$),

-- Clear (the provider's default): drop the payload, keep the row, answer version + 1.
('ClearStorageKey', $sql$
UPDATE granary_orleans_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE service_id = CAST(@ServiceId AS text)
  AND state_name = CAST(@GrainTypeString AS text)
  AND grain_key = granary_orleans_grain_key(CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
                                            CAST(@GrainIdExtensionString AS text))
  AND version = CAST(@GrainStateVersion AS integer)
RETURNING version AS "NewGrainStateVersion"
$sql$),

-- Clear with AdoNetGrainStorageOptions.DeleteStateOnClear: delete the row. The answer (version + 1)
-- only tells the provider the delete happened; the grain's etag becomes NULL.
('DeleteStorageKey', $sql$
DELETE FROM granary_orleans_grain_state
WHERE service_id = CAST(@ServiceId AS text)
  AND state_name = CAST(@GrainTypeString AS text)
  AND grain_key = granary_orleans_grain_key(CAST(@GrainIdN0 AS bigint), CAST(@GrainIdN1 AS bigint),
                                            CAST(@GrainIdExtensionString AS text))
  AND version = CAST(@GrainStateVersion AS integer)
RETURNING version + 1 AS "NewGrainStateVersion"
$sql$);
