-- Extensions the ObsCore table needs.
--
-- pgSphere provides the spherical types (spoint, scircle, spoly) used for
-- s_region and for the cone-search index.  It lives in schema pgsphere, which
-- only its owner may create objects in: the synchronisation triggers run with
-- their owner's rights (30_sync.sql) and look pgSphere's names up there, so
-- no other role may be able to put a type, function or operator beside them.
-- For the same reason nobody but the owner may create objects in schema
-- public either (PostgreSQL 15's default for a new database; a database made
-- by an earlier release still grants it to every role).  A role that really
-- needs to create objects there can be granted CREATE by name.
--
-- This file is applied on every start, so it must be safe to apply again,
-- also to a database made before pgSphere had a schema of its own, where it
-- sits in public.  pgSphere is relocatable, so it is moved: the objects that
-- use it (ivoa.obscore.s_region, the GiST indexes) refer to its types and
-- functions by identity, not by name, and follow.  Other clients of this
-- database that write pgSphere names unqualified (a TAP service, an
-- operator's psql) need pgsphere on their search_path from then on, e.g.
--     ALTER ROLE tap_reader SET search_path = "$user", public, pgsphere;
-- The services of this suite look the schema up when they connect.

CREATE SCHEMA IF NOT EXISTS pgsphere;
COMMENT ON SCHEMA pgsphere IS 'pgSphere (extension pg_sphere): spherical types, functions and operators.';
REVOKE CREATE ON SCHEMA pgsphere FROM PUBLIC;
GRANT USAGE ON SCHEMA pgsphere TO PUBLIC;

DO $$
DECLARE
    ext_schema pg_catalog.name;
BEGIN
    SELECT n.nspname INTO ext_schema
      FROM pg_catalog.pg_extension AS e
      JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_sphere';
    IF NOT FOUND THEN
        CREATE EXTENSION pg_sphere WITH SCHEMA pgsphere;
    ELSIF ext_schema <> 'pgsphere' THEN
        RAISE NOTICE 'moving extension pg_sphere from schema % to schema pgsphere', ext_schema;
        ALTER EXTENSION pg_sphere SET SCHEMA pgsphere;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;
END
$$;
