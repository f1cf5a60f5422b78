-- Keep ivoa.obscore in step with rucio.dids.
--
-- Rucio's POSTGRES_JSON metadata plugin stores each DID's metadata as one JSON
-- object in rucio.dids.data.  Keys named after ObsCore columns describe the
-- observation; every other key belongs to other users of the metadata and is
-- ignored.  After each statement on rucio.dids the triggers below rebuild the
-- ObsCore rows of the DIDs it touched:
--   * a DID whose JSON passes the checks of ivoa.obscore_convert() gets (or
--     keeps) exactly one row, keyed on (rucio_did_scope, rucio_did_name);
--   * a DID whose JSON has ObsCore keys but fails a check gets no row (an
--     existing one is removed) and a NOTICE naming the DID, field and reason;
--   * a DID without ObsCore keys (no JSON, empty or non-object JSON, metadata
--     of something that is not an observation) gets no row, silently;
--   * a deleted DID loses its row.
--
-- Nothing here may make Rucio's own write fail: every error is caught and
-- reported as a NOTICE, and the statement on rucio.dids goes through.
--
-- The triggers work per statement, on the transition tables, so that a bulk
-- load is one set-based INSERT ... SELECT into ivoa.obscore rather than one
-- small statement per DID.  If that set-based write fails as a whole (which
-- the checks are there to prevent), the DIDs are retried one at a time so
-- that one bad DID cannot hold back the others.
--
-- Repair / first installation over an already filled rucio.dids:
--     UPDATE rucio.dids SET data = data;
-- rewrites exactly the ObsCore rows that differ from what the JSON says.
--
-- The functions refer to pgSphere names unqualified and find them through
-- "SET search_path = pg_catalog, public", i.e. in schema public, where
-- 00_extensions.sql installs pgSphere by default.


-- ---------------------------------------------------------------------------
-- A JSON number, or a string holding a plain decimal number, as numeric;
-- NULL for anything else.
--
-- Rucio clients often store numbers as strings ("s_ra": "349.7905833"), so
-- both are accepted.  The pattern keeps out what numeric would otherwise
-- accept but a double column cannot hold or should not hold (NaN, Infinity)
-- and limits the exponent so that the cast itself can never fail.
-- Deliberately plain SQL without a SET clause, so that the planner inlines it
-- (it only uses pg_catalog, which is always searched first).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_json_number(v jsonb)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(v)
               WHEN 'number' THEN v::numeric
               WHEN 'string' THEN
                   CASE WHEN (v #>> '{}') ~ '^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?\s*$'
                        THEN btrim(v #>> '{}')::numeric
                   END
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_json_number(jsonb) IS
    'A JSON number or numeric string as numeric, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A longitude wrapped into [0, 360).
--
-- Exact decimal arithmetic, so that 370 gives 10 and not 9.99999999999999 as
-- pgSphere's own floating-point wrapping would; only the final rounding to a
-- double can still reach 360, which is 0 again.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_wrap360(x numeric)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN mod(mod(x, 360) + 360, 360)::double precision >= 360 THEN 0
                ELSE mod(mod(x, 360) + 360, 360)
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_wrap360(numeric) IS
    'A longitude in degrees wrapped into [0, 360).';


-- ---------------------------------------------------------------------------
-- The ObsCore row one DID's metadata describes.
--
-- Always exactly one row (obs, problem):
--   obs set, problem NULL      the DID describes a valid observation;
--   obs NULL, problem set      it tries to but fails; problem lists every
--                              failing field as "field: reason; ...";
--   both NULL                  it does not describe an observation at all
--                              (no JSON object, or no ObsCore key in it).
-- ("obs NULL" is tested as (obs).rucio_did_name IS NULL: a composite IS NULL
-- test would also be true for a row that merely has a NULL column.)
--
-- How the value of each ObsCore key is read (the "kind" in the map below):
--   text      string (a number is taken as its text)
--   ptype     text from the ObsCore dataproduct_type list, any case
--   calib     integer 0..4
--   count     integer >= -1 (the *_xel columns; -1 marks event lists)
--   size      integer >= 0
--   real      finite number
--   nonneg    finite number >= 0
--   positive  finite number > 0 (wavelengths)
--   ra        finite number, wrapped into [0, 360)
--   dec       number in [-90, 90]
--   time      ISO 8601 date, or date and time with optional zone; kept as UTC
--   region    DALI polygon: JSON array of lon, lat in degrees (>= 3 vertices),
--             or the same numbers as one space-separated string; or STC-S
--             "Polygon [ICRS [refpos] [SPHERICAL2]] lon lat lon lat ..."
-- Numbers may be JSON numbers or numeric strings.  JSON null and "" mean "no
-- value", as an absent key does.  Across fields: the four NOT NULL columns
-- are required, s_ra and s_dec come together, t_min <= t_max and
-- em_min <= em_max.  pol_xel is 0 when absent, as ObsCore says.
--
-- Plain SQL, and nothing in it raises, with one exception: whether pgSphere
-- accepts a polygon (its edges must not cross, nor span half the sky) is only
-- known when the spoly is built, and an unacceptable one raises there.
-- Values go into the row as exact text (numeric, not double, so that
-- extra_float_digits cannot round them).
--
-- Written as one SELECT in a set-returning SQL function without SET options
-- so that the planner inlines it into the triggers' statement: a bulk load
-- then costs one plan, not one PL/pgSQL call per DID.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_convert(did_scope text, did_name text, did_data jsonb)
RETURNS TABLE (obs ivoa.obscore, problem text)
LANGUAGE sql
STABLE
AS $fn$
SELECT CASE WHEN a.seen > 0 AND x.problems = '' THEN
           jsonb_populate_record(NULL::ivoa.obscore,
                                 '{"pol_xel": "0"}'::jsonb
                                 || a.fields
                                 || coalesce(tm.fields, '{}'::jsonb)
                                 || coalesce(rg.field, '{}'::jsonb)
                                 || jsonb_build_object('rucio_did_scope', did_scope,
                                                       'rucio_did_name', did_name))
       END,
       CASE WHEN a.seen > 0 THEN nullif(x.problems, '') END
  FROM (
    SELECT o.obj,
           coalesce(o.obj -> 'calib_level', 'null') NOT IN ('null', '""') AS has_calib_level,
           coalesce(o.obj -> 'obs_collection', 'null') NOT IN ('null', '""') AS has_obs_collection,
           coalesce(o.obj -> 'obs_id', 'null') NOT IN ('null', '""') AS has_obs_id,
           coalesce(o.obj -> 'obs_publisher_did', 'null') NOT IN ('null', '""') AS has_obs_publisher_did,
           coalesce(o.obj -> 's_ra', 'null') NOT IN ('null', '""') AS has_s_ra,
           coalesce(o.obj -> 's_dec', 'null') NOT IN ('null', '""') AS has_s_dec
      FROM (SELECT CASE WHEN jsonb_typeof(did_data) = 'object' THEN did_data ELSE '{}'::jsonb END AS obj
            OFFSET 0) AS o
    OFFSET 0
  ) AS d

  -- Every key but the dates and s_region (handled below, once per DID):
  -- one row per ObsCore key, with its problem or its value as the text the
  -- column type reads.
  CROSS JOIN LATERAL (
    SELECT count(*) AS seen,
           coalesce(jsonb_object_agg(c.k, c.txt) FILTER (WHERE c.problem IS NULL AND c.txt IS NOT NULL),
                    '{}'::jsonb) AS fields,
           coalesce(array_agg(c.problem) FILTER (WHERE c.problem IS NOT NULL), '{}') AS problems
      FROM (
        SELECT j.k,
               CASE
                   WHEN NOT j.present OR j.kind IN ('time', 'region') THEN NULL
                   WHEN j.kind IN ('text', 'ptype') THEN
                       CASE WHEN jsonb_typeof(j.v) NOT IN ('string', 'number')
                                THEN format('%s: expected a string, got a JSON %s', j.k, jsonb_typeof(j.v))
                            WHEN j.kind = 'ptype'
                                 AND lower(j.v #>> '{}') NOT IN ('image', 'cube', 'spectrum', 'sed',
                                                                 'timeseries', 'visibility', 'event',
                                                                 'measurements')
                                THEN format('%s: %s is not one of image, cube, spectrum, sed, '
                                            'timeseries, visibility, event, measurements',
                                            j.k, left(j.v::text, 80))
                       END
                   WHEN j.n IS NULL
                       THEN format('%s: %s is not a number', j.k, left(j.v::text, 80))
                   -- Beyond a double (or anything sensible here); this also
                   -- keeps every later cast from failing.
                   WHEN abs(j.n) > 1e300 OR (j.n <> 0 AND abs(j.n) < 1e-300)
                       THEN format('%s: %s is out of range', j.k, btrim(to_char(j.n, '9.999EEEE')))
                   WHEN j.kind IN ('calib', 'count', 'size') AND j.n <> trunc(j.n)
                       THEN format('%s: %s is not an integer', j.k, j.v)
                   WHEN j.kind = 'calib' AND j.n NOT BETWEEN 0 AND 4
                       THEN format('%s: %s is outside 0..4', j.k, j.v)
                   WHEN j.kind = 'count' AND j.n NOT BETWEEN -1 AND 9223372036854775807
                       THEN format('%s: %s is not a count (>= 0, or -1 for event lists)', j.k, j.v)
                   WHEN j.kind = 'size' AND j.n NOT BETWEEN 0 AND 9223372036854775807
                       THEN format('%s: %s is not a size (>= 0)', j.k, j.v)
                   WHEN j.kind = 'nonneg' AND j.n < 0
                       THEN format('%s: %s is negative', j.k, j.v)
                   WHEN j.kind = 'positive' AND j.n <= 0
                       THEN format('%s: %s is not positive', j.k, j.v)
                   WHEN j.kind = 'dec' AND j.n NOT BETWEEN -90 AND 90
                       THEN format('%s: %s is outside [-90, 90]', j.k, j.v)
               END AS problem,
               CASE
                   WHEN NOT j.present OR j.kind IN ('time', 'region') THEN NULL
                   WHEN j.kind = 'text'   THEN j.v #>> '{}'
                   WHEN j.kind = 'ptype'  THEN lower(j.v #>> '{}')
                   WHEN j.kind = 'ra'     THEN ivoa.obscore_wrap360(j.n)::text
                   WHEN j.kind IN ('calib', 'count', 'size') THEN trunc(j.n)::text
                   ELSE j.n::text
               END AS txt
          FROM (
            SELECT e.k, e.v, e.kind, e.present,
                   CASE WHEN e.kind NOT IN ('text', 'ptype', 'time', 'region')
                        THEN ivoa.obscore_json_number(e.v) END AS n
              FROM (
                SELECT e.key AS k,
                       e.value AS v,
                       kinds.map ->> e.key AS kind,
                       e.value NOT IN ('null'::jsonb, '""'::jsonb) AS present
                  FROM (SELECT '{
                            "dataproduct_type": "ptype",   "calib_level": "calib",
                            "obs_collection": "text",      "obs_id": "text",
                            "obs_publisher_did": "text",   "access_url": "text",
                            "access_format": "text",       "access_estsize": "size",
                            "target_name": "text",         "s_ra": "ra",
                            "s_dec": "dec",                "s_fov": "nonneg",
                            "s_region": "region",          "s_resolution": "nonneg",
                            "s_xel1": "count",             "s_xel2": "count",
                            "t_min": "real",               "t_max": "real",
                            "t_exptime": "nonneg",         "t_resolution": "nonneg",
                            "t_xel": "count",              "em_min": "positive",
                            "em_max": "positive",          "em_res_power": "nonneg",
                            "em_xel": "count",             "o_ucd": "text",
                            "pol_states": "text",          "pol_xel": "count",
                            "facility_name": "text",       "instrument_name": "text",
                            "dataproduct_subtype": "text", "target_class": "text",
                            "obs_creation_date": "time",   "obs_creator_name": "text",
                            "obs_creator_did": "text",     "obs_title": "text",
                            "publisher_id": "text",        "bib_reference": "text",
                            "data_rights": "text",         "obs_release_date": "time",
                            "s_ucd": "text",               "em_ucd": "text",
                            "s_unit": "text",              "em_unit": "text",
                            "o_unit": "text",              "s_resolution_min": "nonneg",
                            "s_resolution_max": "nonneg",  "s_pixel_scale": "nonneg",
                            "s_calib_status": "text",      "t_calib_status": "text",
                            "em_calib_status": "text",     "o_calib_status": "text",
                            "s_stat_error": "nonneg",      "t_stat_error": "nonneg",
                            "em_stat_error": "nonneg",     "o_stat_error": "nonneg",
                            "em_res_power_min": "nonneg",  "em_res_power_max": "nonneg",
                            "em_resolution": "nonneg",     "proposal_id": "text"
                        }'::jsonb AS map) AS kinds
                 CROSS JOIN LATERAL jsonb_each(d.obj) AS e
                -- OFFSET 0, here and below, keeps the planner from flattening
                -- a subquery, which would copy its expressions into every
                -- reference to its columns.
                OFFSET 0
              ) AS e
             WHERE e.kind IS NOT NULL           -- other keys belong to other metadata
            OFFSET 0
          ) AS j
        OFFSET 0
      ) AS c
  ) AS a

  -- Dates: ISO 8601 only (the server's own parser also takes forms like
  -- 'now' or 'epoch', and raises on a bad date, which must not happen here).
  -- The pattern fixes every field's position and range; what is left to
  -- check is the day within the month and year 0000.  The pattern avoids
  -- capturing groups on purpose: regexp_match would be fifty times slower.
  -- A zone designator converts to UTC.
  CROSS JOIN LATERAL (
    SELECT jsonb_object_agg(t.k, t.utc) FILTER (WHERE t.utc IS NOT NULL) AS fields,
           array_agg(format('%s: %s is not a valid ISO 8601 date/time (YYYY-MM-DD[Thh:mm[:ss[.s]]][Z|+hh:mm])',
                            t.k, left(t.v::text, 80)))
               FILTER (WHERE t.utc IS NULL) AS problems
      FROM (
        SELECT p.k, p.v,
               CASE WHEN NOT p.ok THEN NULL
                    WHEN substr(p.s, 1, 4) = '0000'
                         OR substr(p.s, 9, 2)::integer
                            > extract(day FROM make_date(substr(p.s, 1, 4)::integer,
                                                         substr(p.s, 6, 2)::integer, 1)
                                               + interval '1 month - 1 day')
                        THEN NULL
                    WHEN p.s ~ '(Z|z|[+-]\d\d(:?\d\d)?)$' AND length(p.s) > 10
                        THEN to_char(p.s::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
                    ELSE to_char(p.s::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.US')
               END AS utc
          FROM (
            SELECT tk.k, tv.v, tv.v #>> '{}' AS s,
                   jsonb_typeof(tv.v) = 'string'
                   AND (tv.v #>> '{}') ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([Tt ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?([Zz]|[+-](0\d|1[0-5])(:?[0-5]\d)?)?)?$'
                       AS ok
              FROM (VALUES ('obs_creation_date'), ('obs_release_date')) AS tk (k)
             CROSS JOIN LATERAL (SELECT d.obj -> tk.k AS v) AS tv
             WHERE tv.v NOT IN ('null'::jsonb, '""'::jsonb)
            OFFSET 0
          ) AS p
        OFFSET 0
      ) AS t
  ) AS tm

  -- s_region: the pgSphere literal in degrees, or what is wrong.
  LEFT JOIN LATERAL (
    SELECT CASE WHEN w.problem IS NULL THEN jsonb_build_object('s_region', '{' || w.vertices || '}') END
               AS field,
           's_region: ' || w.problem AS problem
      FROM (
        SELECT q.coords,
               CASE
                   WHEN q.frame_problem IS NOT NULL THEN q.frame_problem
                   WHEN q.coords IS NULL
                       THEN format('expected a DALI polygon (JSON array of lon, lat in degrees) '
                                   'or an STC-S "Polygon ICRS lon lat ..." string, got %s',
                                   left(q.v::text, 80))
                   WHEN jsonb_array_length(q.coords) < 6 OR jsonb_array_length(q.coords) % 2 <> 0
                       THEN format('a polygon needs an even number (>= 6) of coordinates, got %s',
                                   jsonb_array_length(q.coords))
               END AS problem
          FROM (
            SELECT s.v,
                   CASE
                       WHEN jsonb_typeof(s.v) = 'array' THEN s.v
                       WHEN s.m IS NOT NULL THEN
                           CASE WHEN btrim(s.m[2]) = '' THEN '[]'::jsonb
                                ELSE to_jsonb(regexp_split_to_array(btrim(s.m[2]), '\s+')) END
                       -- A DALI polygon in its VOTable serialisation.
                       WHEN (s.v #>> '{}') ~ '^\s*[+-]?[0-9.]'
                           THEN to_jsonb(regexp_split_to_array(btrim(s.v #>> '{}'), '\s+'))
                   END AS coords,
                   CASE
                       WHEN s.words IS NULL THEN NULL
                       WHEN s.words[1] <> 'ICRS'
                           THEN format('STC-S frame %s is not supported (only ICRS)', s.words[1])
                       WHEN NOT s.words[2:] <@ ARRAY['BARYCENTER', 'GEOCENTER', 'HELIOCENTER', 'LSR',
                                                     'TOPOCENTER', 'RELOCATABLE', 'UNKNOWNREFPOS',
                                                     'SPHERICAL2']
                           THEN format('unexpected STC-S words %s', array_to_string(s.words[2:], ' '))
                   END AS frame_problem
              FROM (
                -- STC-S: Polygon, then words (frame, refpos, flavour), then
                -- the coordinates.
                SELECT sm.v, sm.m,
                       CASE WHEN btrim(sm.m[1]) <> ''
                            THEN regexp_split_to_array(upper(btrim(sm.m[1])), '\s+') END AS words
                  FROM (
                    SELECT rv.v,
                           regexp_match(CASE WHEN jsonb_typeof(rv.v) = 'string' THEN rv.v #>> '{}' END,
                                        '^\s*polygon((?:\s+[a-z][a-z0-9_]*)*)((?:\s+\S+)*)\s*$', 'i') AS m
                      FROM (SELECT d.obj -> 's_region' AS v) AS rv
                     WHERE rv.v NOT IN ('null'::jsonb, '""'::jsonb)
                    OFFSET 0
                  ) AS sm
                OFFSET 0
              ) AS s
            OFFSET 0
          ) AS q
        OFFSET 0
      ) AS g
      -- The vertices, longitudes wrapped, and the first bad one if any.
      CROSS JOIN LATERAL (
        SELECT string_agg('(' || ivoa.obscore_wrap360(v.lon) || 'd,' || v.lat || 'd)', ','
                          ORDER BY v.i) AS vertices,
               min(v.i) FILTER (WHERE v.lon IS NULL OR v.lat IS NULL OR abs(v.lon) > 1e9) AS bad_pair,
               min(v.i) FILTER (WHERE v.lat NOT BETWEEN -90 AND 90) AS bad_lat
          FROM (
            SELECT i,
                   ivoa.obscore_json_number(g.coords -> (2 * i)) AS lon,
                   ivoa.obscore_json_number(g.coords -> (2 * i + 1)) AS lat
              FROM generate_series(0, CASE WHEN g.problem IS NULL
                                           THEN jsonb_array_length(g.coords) / 2 - 1 END) AS i
            OFFSET 0
          ) AS v
      ) AS w0
      CROSS JOIN LATERAL (
        SELECT w0.vertices,
               CASE
                   WHEN g.problem IS NOT NULL THEN g.problem
                   WHEN w0.bad_pair IS NOT NULL
                       THEN format('vertex %s (%s, %s) is not a pair of numbers', w0.bad_pair + 1,
                                   g.coords -> (2 * w0.bad_pair), g.coords -> (2 * w0.bad_pair + 1))
                   WHEN w0.bad_lat IS NOT NULL
                       THEN format('vertex %s latitude %s is outside [-90, 90]', w0.bad_lat + 1,
                                   g.coords -> (2 * w0.bad_lat + 1))
               END AS problem
      ) AS w
  ) AS rg ON true

  -- Rules across fields, and all problems in one text (array_to_string
  -- skips the NULLs of the rules that hold).  A field "has a value" when its
  -- key holds something other than null or ""; whether the value is good was
  -- settled above.
  CROSS JOIN LATERAL (
    SELECT array_to_string(
               a.problems
               || coalesce(tm.problems, '{}')
               || ARRAY[
                   rg.problem,
                   CASE WHEN NOT d.has_calib_level THEN 'calib_level: missing (required)' END,
                   CASE WHEN NOT d.has_obs_collection THEN 'obs_collection: missing (required)' END,
                   CASE WHEN NOT d.has_obs_id THEN 'obs_id: missing (required)' END,
                   CASE WHEN NOT d.has_obs_publisher_did THEN 'obs_publisher_did: missing (required)' END,
                   CASE WHEN d.has_s_ra AND NOT d.has_s_dec THEN 's_dec: missing while s_ra is given' END,
                   CASE WHEN d.has_s_dec AND NOT d.has_s_ra THEN 's_ra: missing while s_dec is given' END,
                   CASE WHEN (a.fields ->> 't_min')::numeric > (a.fields ->> 't_max')::numeric
                        THEN format('t_min: %s is after t_max %s',
                                    a.fields ->> 't_min', a.fields ->> 't_max') END,
                   CASE WHEN (a.fields ->> 'em_min')::numeric > (a.fields ->> 'em_max')::numeric
                        THEN format('em_min: %s is greater than em_max %s',
                                    a.fields ->> 'em_min', a.fields ->> 'em_max') END
               ], '; ') AS problems
  ) AS x
$fn$;

COMMENT ON FUNCTION ivoa.obscore_convert(text, text, jsonb) IS
    'The ObsCore row described by one DID''s JSON metadata, or why there is none.';


-- ---------------------------------------------------------------------------
-- Bring the ObsCore row of one DID in line with its metadata, on its own.
--
-- The slow but unbreakable path: used when the set-based write of a whole
-- statement fails, so that only the offending DID stays out.  Never raises.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_sync_did(did_scope text, did_name text, did_data jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
SET jit = off
AS $fn$
DECLARE
    conv   record;
    obs    ivoa.obscore;
    why    text;
    others text;
BEGIN
    BEGIN
        SELECT c.obs, c.problem INTO conv
          FROM ivoa.obscore_convert(did_scope, did_name, did_data) AS c;
        obs := conv.obs;
        why := conv.problem;
    EXCEPTION WHEN OTHERS THEN
        why := SQLERRM;
        -- The conversion leaves one check to pgSphere: whether it accepts
        -- the polygon.  If the DID converts without s_region, that was it.
        IF jsonb_typeof(did_data) = 'object' AND did_data ? 's_region' THEN
            BEGIN
                SELECT c.problem INTO others
                  FROM ivoa.obscore_convert(did_scope, did_name, did_data - 's_region') AS c;
                why := concat_ws('; ', others, format('s_region: not a valid polygon (%s)', why));
            EXCEPTION WHEN OTHERS THEN
                NULL;
            END;
        END IF;
        obs := NULL;
    END;

    DELETE FROM ivoa.obscore
     WHERE rucio_did_scope = did_scope AND rucio_did_name = did_name;
    IF obs.rucio_did_name IS NOT NULL THEN
        INSERT INTO ivoa.obscore VALUES (obs.*);
    ELSIF why IS NOT NULL THEN
        RAISE NOTICE 'ivoa.obscore: DID %:% has no ObsCore row: %', did_scope, did_name, why;
    END IF;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'ivoa.obscore: DID %:% has no ObsCore row: % (SQLSTATE %)',
        did_scope, did_name, SQLERRM, SQLSTATE;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_sync_did(text, text, jsonb) IS
    'Rewrite (or remove) the ObsCore row of one DID; reports problems as NOTICEs, never raises.';


-- ---------------------------------------------------------------------------
-- Statement trigger on rucio.dids.
--
-- SECURITY DEFINER: the Rucio database account only needs rights on
-- rucio.dids; ivoa.obscore is written with the rights of the owner of this
-- function.  The fixed search_path is part of making that safe.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_sync()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
-- The inlined conversion makes a large plan with pessimistic row estimates;
-- JIT-compiling it would cost far more than running it, for a single DID
-- above all.
SET jit = off
AS $fn$
DECLARE
    msgs text[];
    msg  text;
    one  record;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM ivoa.obscore;
        RETURN NULL;
    END IF;

    IF TG_OP = 'DELETE' THEN
        DELETE FROM ivoa.obscore AS o
         USING old_rows AS d
         WHERE o.rucio_did_scope = d.scope AND o.rucio_did_name = d.name;
        RETURN NULL;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        -- A DID renamed by the statement leaves its old key behind.
        DELETE FROM ivoa.obscore AS o
         USING old_rows AS d
         WHERE o.rucio_did_scope = d.scope AND o.rucio_did_name = d.name
           AND NOT EXISTS (SELECT 1 FROM new_rows AS n
                            WHERE n.scope = d.scope AND n.name = d.name);
    END IF;

    -- INSERT or UPDATE: one set-based pass over the statement's rows.
    BEGIN
        WITH conv AS MATERIALIZED (
            SELECT n.scope, n.name, f.obs, f.problem
              FROM new_rows AS n
             CROSS JOIN LATERAL ivoa.obscore_convert(n.scope, n.name, n.data) AS f
        ), dropped AS (
            DELETE FROM ivoa.obscore AS o
             USING conv AS c
             WHERE o.rucio_did_scope = c.scope AND o.rucio_did_name = c.name
               AND (c.obs).rucio_did_name IS NULL
        ), written AS (
            INSERT INTO ivoa.obscore AS o
            SELECT (c.obs).* FROM conv AS c
             WHERE (c.obs).rucio_did_name IS NOT NULL
            ON CONFLICT (rucio_did_scope, rucio_did_name) DO UPDATE
               SET (dataproduct_type, calib_level, obs_collection, obs_id,
                    obs_publisher_did, access_url, access_format, access_estsize,
                    target_name, s_ra, s_dec, s_fov, s_region, s_resolution,
                    s_xel1, s_xel2, t_min, t_max, t_exptime, t_resolution, t_xel,
                    em_min, em_max, em_res_power, em_xel, o_ucd, pol_states,
                    pol_xel, facility_name, instrument_name, dataproduct_subtype,
                    target_class, obs_creation_date, obs_creator_name,
                    obs_creator_did, obs_title, publisher_id, bib_reference,
                    data_rights, obs_release_date, s_ucd, em_ucd, s_unit, em_unit,
                    o_unit, s_resolution_min, s_resolution_max, s_pixel_scale,
                    s_calib_status, t_calib_status, em_calib_status,
                    o_calib_status, s_stat_error, t_stat_error, em_stat_error,
                    o_stat_error, em_res_power_min, em_res_power_max,
                    em_resolution, proposal_id, rucio_did_scope, rucio_did_name)
                 = ROW (EXCLUDED.*)
             -- Rows that come out the same are left alone: no dead tuple,
             -- no index churn (Rucio rewrites unchanged metadata often).
             WHERE NOT (o *= EXCLUDED)
        )
        SELECT array_agg(format('ivoa.obscore: DID %s:%s has no ObsCore row: %s',
                                c.scope, c.name, c.problem))
          INTO msgs
          FROM conv AS c
         WHERE c.problem IS NOT NULL;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'ivoa.obscore: % on rucio.dids: set-based update failed (%), '
                     'retrying DID by DID', TG_OP, SQLERRM;
        FOR one IN SELECT n.scope, n.name, n.data FROM new_rows AS n LOOP
            PERFORM ivoa.obscore_sync_did(one.scope, one.name, one.data);
        END LOOP;
    END;

    IF msgs IS NOT NULL THEN
        FOREACH msg IN ARRAY msgs LOOP
            RAISE NOTICE '%', msg;
        END LOOP;
    END IF;
    RETURN NULL;

EXCEPTION WHEN OTHERS THEN
    -- Last line of defence: Rucio's statement must succeed regardless.
    RAISE NOTICE 'ivoa.obscore: % on rucio.dids not synchronised: % (SQLSTATE %)',
        TG_OP, SQLERRM, SQLSTATE;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_sync() IS
    'Statement trigger on rucio.dids keeping ivoa.obscore in step; never fails the statement.';

-- Transition tables allow one event per trigger, hence one trigger per event.
CREATE OR REPLACE TRIGGER obscore_sync_insert
    AFTER INSERT ON rucio.dids
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ivoa.obscore_sync();

CREATE OR REPLACE TRIGGER obscore_sync_update
    AFTER UPDATE ON rucio.dids
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ivoa.obscore_sync();

CREATE OR REPLACE TRIGGER obscore_sync_delete
    AFTER DELETE ON rucio.dids
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ivoa.obscore_sync();

CREATE OR REPLACE TRIGGER obscore_sync_truncate
    AFTER TRUNCATE ON rucio.dids
    FOR EACH STATEMENT EXECUTE FUNCTION ivoa.obscore_sync();
