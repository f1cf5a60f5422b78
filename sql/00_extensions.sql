-- Extensions the ObsCore table needs.
--
-- pgSphere provides the spherical types (spoint, scircle, spoly) used for
-- s_region and for the cone-search index.  The other SQL files assume it is
-- installed in schema public, which is where CREATE EXTENSION puts it unless
-- the session's search_path says otherwise.
CREATE EXTENSION IF NOT EXISTS pg_sphere;
