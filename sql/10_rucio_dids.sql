-- The DID metadata table written by Rucio's POSTGRES_JSON metadata plugin
-- (rucio.core.did_meta_plugins.postgres_meta.ExternalPostgresJSONDidMeta).
--
-- The definition is the one the plugin itself issues when it manages the
-- table (postgres_table_is_managed = True), placed in schema rucio.  Rucio is
-- meant to be configured with
--     [metadata] postgres_db_schema = rucio, postgres_table = dids,
--                postgres_table_is_managed = False
-- in which case the plugin only verifies the table, and that check requires
-- exactly what is below:
--   * vo, scope, name: character varying, NOT NULL;
--   * data: jsonb, nullable (so it must not be made NOT NULL here);
--   * a UNIQUE constraint on (scope, name), which its
--     INSERT ... ON CONFLICT (scope, name) DO UPDATE relies on.
-- Keep this table exactly as the plugin expects: ObsCore derives its rows from
-- it through triggers (30_sync.sql) and adds no columns to it.
--
-- Note for operators: the plugin's check looks the table up by name only, in
-- every schema, so in a database that also holds Rucio's own "dids" table it
-- checks both at once and proves little.  A database of its own for this
-- table (and ivoa.obscore) keeps the check meaningful.

CREATE SCHEMA IF NOT EXISTS rucio;

CREATE TABLE IF NOT EXISTS rucio.dids (
    id    bigint  NOT NULL GENERATED ALWAYS AS IDENTITY,
    vo    varchar NOT NULL,
    scope varchar NOT NULL,
    name  varchar NOT NULL,
    data  jsonb   DEFAULT '{}'::jsonb,
    CONSTRAINT dids_scope_name_key UNIQUE (scope, name)
);

COMMENT ON TABLE rucio.dids IS
    'DID metadata of Rucio''s POSTGRES_JSON metadata plugin: one row per DID, '
    'its metadata as a JSON object. Source of ivoa.obscore.';
COMMENT ON COLUMN rucio.dids.vo IS 'Rucio virtual organisation of the scope.';
COMMENT ON COLUMN rucio.dids.scope IS 'DID scope.';
COMMENT ON COLUMN rucio.dids.name IS 'DID name.';
COMMENT ON COLUMN rucio.dids.data IS
    'DID metadata as a JSON object; keys named after ObsCore columns feed ivoa.obscore.';
