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
-- Installing this over an already filled rucio.dids, or repairing ObsCore
-- after a synchronisation failure (reported as "not synchronised"):
--     DELETE FROM ivoa.obscore AS o
--      WHERE NOT EXISTS (SELECT 1 FROM rucio.dids AS d
--                         WHERE d.scope = o.rucio_did_scope
--                           AND d.name = o.rucio_did_name);
--     UPDATE rucio.dids SET data = data;
-- The UPDATE rewrites exactly the ObsCore rows that differ from what the
-- JSON says.
--
-- The trigger function runs with its owner's rights (SECURITY DEFINER) in
-- the session of whoever wrote rucio.dids, so nothing that session created
-- may be found by name in it.  Its search_path is therefore
-- "pg_catalog, pgsphere, pg_temp": PostgreSQL looks for a type or relation
-- in pg_temp first unless pg_temp is named, and named last it comes after
-- the two schemas only their owner can write (for functions and operators
-- pg_temp is never searched).  The helpers below are inlined into the
-- trigger's statement and so resolve their names through that same path;
-- types and pgSphere names are schema-qualified besides, so that a mistake
-- in one place does not open the hole again.  standard_conforming_strings
-- is fixed too, because the session's setting decides how the patterns in
-- the helpers are read.


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
-- A JSON value as text: strings as they are, numbers as written; NULL for
-- anything else, for JSON null and for "".
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_text(v jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number') THEN nullif(v #>> '{}', '') END
$$;

COMMENT ON FUNCTION ivoa.obscore_text(jsonb) IS
    'A JSON string or number as text, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- An ISO 8601 date or date-time, as UTC "YYYY-MM-DDThh:mm:ss.ssssss"; NULL
-- for anything else.
--
-- ISO 8601 only: the server's own parser also takes forms like 'now' or
-- 'epoch', and raises on a bad date, which must not happen here.  The
-- pattern fixes every field's position and range; what is left to check is
-- the day within the month, and year 0000.  It has no capturing groups on
-- purpose: regexp_match would be some fifty times slower than ~.  A zone
-- designator (Z, +hh, +hh:mm, +hhmm) converts to UTC; without one the time is
-- taken as UTC already.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_time(v jsonb)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE
               WHEN jsonb_typeof(v) IS DISTINCT FROM 'string'
                    OR (v #>> '{}') !~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([Tt ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?([Zz]|[+-](0\d|1[0-5])(:?[0-5]\d)?)?)?$'
                   THEN NULL
               WHEN substr(v #>> '{}', 1, 4) = '0000'
                    OR substr(v #>> '{}', 9, 2)::integer
                       > extract(day FROM make_date(substr(v #>> '{}', 1, 4)::integer,
                                                    substr(v #>> '{}', 6, 2)::integer, 1)
                                          + interval '1 month - 1 day')
                   THEN NULL
               WHEN length(v #>> '{}') > 10 AND (v #>> '{}') ~ '([Zz]|[+-]\d\d(:?\d\d)?)$'
                   THEN to_char((v #>> '{}')::pg_catalog.timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')
               ELSE to_char((v #>> '{}')::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.US')
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_time(jsonb) IS
    'An ISO 8601 JSON string as UTC date-time text, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- What is wrong with the value v of ObsCore field "field", read as "kind";
-- NULL when nothing is (an absent value, JSON null or "", is not wrong).
--
-- The kinds:
--   text      string (a number is taken as its text)
--   ptype     text from the ObsCore dataproduct_type list, any case
--   calib     integer 0..4
--   count     integer >= -1 (the *_xel columns; -1 marks event lists)
--   size      integer >= 0
--   real      finite number
--   nonneg    finite number >= 0
--   positive  finite number > 0 (wavelengths)
--   ra        finite number (wrapped into [0, 360) when stored)
--   dec       number in [-90, 90]
--   time      ISO 8601 date, or date and time with optional zone
-- Numbers may be JSON numbers or numeric strings.
--
-- Called with constant field and kind, so once inlined the planner folds the
-- CASE down to the few tests of that kind.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_check(field text, v jsonb, kind text)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE
               WHEN v IS NULL OR v = '""' THEN NULL
               WHEN kind IN ('text', 'ptype') AND jsonb_typeof(v) NOT IN ('string', 'number')
                   THEN format('%s: expected a string, got a JSON %s', field, jsonb_typeof(v))
               WHEN kind = 'ptype'
                    AND lower(v #>> '{}') NOT IN ('image', 'cube', 'spectrum', 'sed', 'timeseries',
                                                  'visibility', 'event', 'measurements')
                   THEN format('%s: %s is not one of image, cube, spectrum, sed, timeseries, '
                               'visibility, event, measurements', field, left(v::pg_catalog.text, 80))
               WHEN kind IN ('text', 'ptype') THEN NULL
               WHEN kind = 'time'
                   THEN CASE WHEN ivoa.obscore_time(v) IS NULL
                             THEN format('%s: %s is not a valid ISO 8601 date/time '
                                         '(YYYY-MM-DD[Thh:mm[:ss[.s]]][Z|+hh:mm])',
                                         field, left(v::pg_catalog.text, 80))
                        END
               WHEN ivoa.obscore_json_number(v) IS NULL
                   THEN format('%s: %s is not a number', field, left(v::pg_catalog.text, 80))
               -- Beyond a double (or anything sensible here); this also keeps
               -- the later casts from failing.
               WHEN abs(ivoa.obscore_json_number(v)) > 1e300
                    OR (ivoa.obscore_json_number(v) <> 0 AND abs(ivoa.obscore_json_number(v)) < 1e-300)
                   THEN format('%s: %s is out of range', field,
                               btrim(to_char(ivoa.obscore_json_number(v), '9.999EEEE')))
               WHEN kind IN ('calib', 'count', 'size')
                    AND ivoa.obscore_json_number(v) <> trunc(ivoa.obscore_json_number(v))
                   THEN format('%s: %s is not an integer', field, v)
               WHEN kind = 'calib' AND ivoa.obscore_json_number(v) NOT BETWEEN 0 AND 4
                   THEN format('%s: %s is outside 0..4', field, v)
               WHEN kind = 'count' AND ivoa.obscore_json_number(v) NOT BETWEEN -1 AND 9223372036854775807
                   THEN format('%s: %s is not a count (>= 0, or -1 for event lists)', field, v)
               WHEN kind = 'size' AND ivoa.obscore_json_number(v) NOT BETWEEN 0 AND 9223372036854775807
                   THEN format('%s: %s is not a size (>= 0)', field, v)
               WHEN kind = 'nonneg' AND ivoa.obscore_json_number(v) < 0
                   THEN format('%s: %s is negative', field, v)
               WHEN kind = 'positive' AND ivoa.obscore_json_number(v) <= 0
                   THEN format('%s: %s is not positive', field, v)
               WHEN kind = 'dec' AND ivoa.obscore_json_number(v) NOT BETWEEN -90 AND 90
                   THEN format('%s: %s is outside [-90, 90]', field, v)
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_check(text, jsonb, text) IS
    'What is wrong with one ObsCore value from JSON, or NULL (never raises).';


-- ---------------------------------------------------------------------------
-- The ObsCore row one DID's metadata describes.
--
-- Always exactly one row (obs, problem):
--   obs set, problem NULL      the DID describes a valid observation;
--   obs NULL, problem set      it tries to but fails; problem lists every
--                              failing field as "field: reason; ...";
--   both NULL                  it does not describe an observation at all
--                              (no JSON object, or no ObsCore key with a
--                              non-null value in it).
-- ("obs NULL" is tested as (obs).rucio_did_name IS NULL: a composite IS NULL
-- test would also be true for a row that merely has a NULL column.)
--
-- Each ObsCore key is read as described at ivoa.obscore_check(); s_region
-- takes a DALI polygon (JSON array of lon, lat in degrees, >= 3 vertices, or
-- the same numbers as one space-separated string) or STC-S
-- "Polygon [ICRS [refpos] [SPHERICAL2]] lon lat lon lat ...".  JSON null and
-- "" mean "no value", as an absent key does; other keys are ignored.  Across
-- fields: the four NOT NULL columns are required, s_ra and s_dec come
-- together, t_min <= t_max and em_min <= em_max.  pol_xel is 0 when absent,
-- as ObsCore says.
--
-- Nothing here raises, with one exception: whether pgSphere accepts a
-- polygon (its edges must not cross, nor span half the sky) is only known
-- when the spoly is built, and an unacceptable one raises there.
--
-- Plain SQL in one SELECT, without SET options, so that the planner inlines
-- it into the triggers' statement: a bulk load then costs one plan, not one
-- call per DID.  (Being inlined, it finds spoly through the caller's
-- search_path, which the trigger functions fix.)  The ROW below lists
-- ivoa.obscore's columns in table order.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_convert(did_scope text, did_name text, did_data jsonb)
RETURNS TABLE (obs ivoa.obscore, problem text)
LANGUAGE sql
STABLE
AS $fn$
SELECT CASE WHEN p.seen AND p.problems = '' THEN
           ROW(
               lower(ivoa.obscore_text(v.dataproduct_type)),
               ivoa.obscore_json_number(v.calib_level)::integer,
               ivoa.obscore_text(v.obs_collection),
               ivoa.obscore_text(v.obs_id),
               ivoa.obscore_text(v.obs_publisher_did),
               ivoa.obscore_text(v.access_url),
               ivoa.obscore_text(v.access_format),
               ivoa.obscore_json_number(v.access_estsize)::bigint,
               ivoa.obscore_text(v.target_name),
               ivoa.obscore_wrap360(ivoa.obscore_json_number(v.s_ra))::double precision,
               ivoa.obscore_json_number(v.s_dec)::double precision,
               ivoa.obscore_json_number(v.s_fov)::double precision,
               rg.poly::pgsphere.spoly,
               ivoa.obscore_json_number(v.s_resolution)::double precision,
               ivoa.obscore_json_number(v.s_xel1)::bigint,
               ivoa.obscore_json_number(v.s_xel2)::bigint,
               ivoa.obscore_json_number(v.t_min)::double precision,
               ivoa.obscore_json_number(v.t_max)::double precision,
               ivoa.obscore_json_number(v.t_exptime)::double precision,
               ivoa.obscore_json_number(v.t_resolution)::double precision,
               ivoa.obscore_json_number(v.t_xel)::bigint,
               ivoa.obscore_json_number(v.em_min)::double precision,
               ivoa.obscore_json_number(v.em_max)::double precision,
               ivoa.obscore_json_number(v.em_res_power)::double precision,
               ivoa.obscore_json_number(v.em_xel)::bigint,
               ivoa.obscore_text(v.o_ucd),
               ivoa.obscore_text(v.pol_states),
               coalesce(ivoa.obscore_json_number(v.pol_xel)::bigint, 0),
               ivoa.obscore_text(v.facility_name),
               ivoa.obscore_text(v.instrument_name),
               ivoa.obscore_text(v.dataproduct_subtype),
               ivoa.obscore_text(v.target_class),
               ivoa.obscore_time(v.obs_creation_date)::timestamp,
               ivoa.obscore_text(v.obs_creator_name),
               ivoa.obscore_text(v.obs_creator_did),
               ivoa.obscore_text(v.obs_title),
               ivoa.obscore_text(v.publisher_id),
               ivoa.obscore_text(v.bib_reference),
               ivoa.obscore_text(v.data_rights),
               ivoa.obscore_time(v.obs_release_date)::timestamp,
               ivoa.obscore_text(v.s_ucd),
               ivoa.obscore_text(v.em_ucd),
               ivoa.obscore_text(v.s_unit),
               ivoa.obscore_text(v.em_unit),
               ivoa.obscore_text(v.o_unit),
               ivoa.obscore_json_number(v.s_resolution_min)::double precision,
               ivoa.obscore_json_number(v.s_resolution_max)::double precision,
               ivoa.obscore_json_number(v.s_pixel_scale)::double precision,
               ivoa.obscore_text(v.s_calib_status),
               ivoa.obscore_text(v.t_calib_status),
               ivoa.obscore_text(v.em_calib_status),
               ivoa.obscore_text(v.o_calib_status),
               ivoa.obscore_json_number(v.s_stat_error)::double precision,
               ivoa.obscore_json_number(v.t_stat_error)::double precision,
               ivoa.obscore_json_number(v.em_stat_error)::double precision,
               ivoa.obscore_json_number(v.o_stat_error)::double precision,
               ivoa.obscore_json_number(v.em_res_power_min)::double precision,
               ivoa.obscore_json_number(v.em_res_power_max)::double precision,
               ivoa.obscore_json_number(v.em_resolution)::double precision,
               ivoa.obscore_text(v.proposal_id),
               did_scope,
               did_name
           )::ivoa.obscore
       END,
       CASE WHEN p.seen THEN nullif(p.problems, '') END
  FROM (SELECT CASE WHEN jsonb_typeof(did_data) = 'object' THEN did_data ELSE '{}'::pg_catalog.jsonb END AS obj
        -- OFFSET 0, here and below, keeps the planner from flattening a
        -- subquery, which would copy its expressions into every reference to
        -- its columns.
        OFFSET 0) AS d

  -- The ObsCore keys, each as its JSON value (SQL NULL when absent or null).
  CROSS JOIN LATERAL jsonb_to_record(d.obj) AS v (
        dataproduct_type    pg_catalog.jsonb,
        calib_level         pg_catalog.jsonb,
        obs_collection      pg_catalog.jsonb,
        obs_id              pg_catalog.jsonb,
        obs_publisher_did   pg_catalog.jsonb,
        access_url          pg_catalog.jsonb,
        access_format       pg_catalog.jsonb,
        access_estsize      pg_catalog.jsonb,
        target_name         pg_catalog.jsonb,
        s_ra                pg_catalog.jsonb,
        s_dec               pg_catalog.jsonb,
        s_fov               pg_catalog.jsonb,
        s_region            pg_catalog.jsonb,
        s_resolution        pg_catalog.jsonb,
        s_xel1              pg_catalog.jsonb,
        s_xel2              pg_catalog.jsonb,
        t_min               pg_catalog.jsonb,
        t_max               pg_catalog.jsonb,
        t_exptime           pg_catalog.jsonb,
        t_resolution        pg_catalog.jsonb,
        t_xel               pg_catalog.jsonb,
        em_min              pg_catalog.jsonb,
        em_max              pg_catalog.jsonb,
        em_res_power        pg_catalog.jsonb,
        em_xel              pg_catalog.jsonb,
        o_ucd               pg_catalog.jsonb,
        pol_states          pg_catalog.jsonb,
        pol_xel             pg_catalog.jsonb,
        facility_name       pg_catalog.jsonb,
        instrument_name     pg_catalog.jsonb,
        dataproduct_subtype pg_catalog.jsonb,
        target_class        pg_catalog.jsonb,
        obs_creation_date   pg_catalog.jsonb,
        obs_creator_name    pg_catalog.jsonb,
        obs_creator_did     pg_catalog.jsonb,
        obs_title           pg_catalog.jsonb,
        publisher_id        pg_catalog.jsonb,
        bib_reference       pg_catalog.jsonb,
        data_rights         pg_catalog.jsonb,
        obs_release_date    pg_catalog.jsonb,
        s_ucd               pg_catalog.jsonb,
        em_ucd              pg_catalog.jsonb,
        s_unit              pg_catalog.jsonb,
        em_unit             pg_catalog.jsonb,
        o_unit              pg_catalog.jsonb,
        s_resolution_min    pg_catalog.jsonb,
        s_resolution_max    pg_catalog.jsonb,
        s_pixel_scale       pg_catalog.jsonb,
        s_calib_status      pg_catalog.jsonb,
        t_calib_status      pg_catalog.jsonb,
        em_calib_status     pg_catalog.jsonb,
        o_calib_status      pg_catalog.jsonb,
        s_stat_error        pg_catalog.jsonb,
        t_stat_error        pg_catalog.jsonb,
        em_stat_error       pg_catalog.jsonb,
        o_stat_error        pg_catalog.jsonb,
        em_res_power_min    pg_catalog.jsonb,
        em_res_power_max    pg_catalog.jsonb,
        em_resolution       pg_catalog.jsonb,
        proposal_id         pg_catalog.jsonb
  )

  -- s_region: the pgSphere literal in degrees, or what is wrong.
  LEFT JOIN LATERAL (
    SELECT '{' || w.vertices || '}' AS poly,
           's_region: ' || w.problem AS problem
      FROM (
        SELECT q.coords,
               CASE
                   WHEN q.frame_problem IS NOT NULL THEN q.frame_problem
                   WHEN q.coords IS NULL
                       THEN format('expected a DALI polygon (JSON array of lon, lat in degrees) '
                                   'or an STC-S "Polygon ICRS lon lat ..." string, got %s',
                                   left(v.s_region::pg_catalog.text, 80))
                   WHEN jsonb_array_length(q.coords) < 6 OR jsonb_array_length(q.coords) % 2 <> 0
                       THEN format('a polygon needs an even number (>= 6) of coordinates, got %s',
                                   jsonb_array_length(q.coords))
               END AS problem
          FROM (
            SELECT CASE
                       WHEN jsonb_typeof(v.s_region) = 'array' THEN v.s_region
                       WHEN s.m IS NOT NULL THEN
                           CASE WHEN btrim(s.m[2]) = '' THEN '[]'::pg_catalog.jsonb
                                ELSE to_jsonb(regexp_split_to_array(btrim(s.m[2]), '\s+')) END
                       -- A DALI polygon in its VOTable serialisation.
                       WHEN (v.s_region #>> '{}') ~ '^\s*[+-]?[0-9.]'
                           THEN to_jsonb(regexp_split_to_array(btrim(v.s_region #>> '{}'), '\s+'))
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
                SELECT sm.m,
                       CASE WHEN btrim(sm.m[1]) <> ''
                            THEN regexp_split_to_array(upper(btrim(sm.m[1])), '\s+') END AS words
                  FROM (
                    SELECT regexp_match(CASE WHEN jsonb_typeof(v.s_region) = 'string'
                                             THEN v.s_region #>> '{}' END,
                                        '^\s*polygon((?:\s+[a-z][a-z0-9_]*)*)((?:\s+\S+)*)\s*$', 'i') AS m
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
        SELECT string_agg('(' || ivoa.obscore_wrap360(c.lon) || 'd,' || c.lat || 'd)', ','
                          ORDER BY c.i) AS vertices,
               min(c.i) FILTER (WHERE c.lon IS NULL OR c.lat IS NULL OR abs(c.lon) > 1e9) AS bad_pair,
               min(c.i) FILTER (WHERE c.lat NOT BETWEEN -90 AND 90) AS bad_lat
          FROM (
            SELECT i,
                   ivoa.obscore_json_number(g.coords -> (2 * i)) AS lon,
                   ivoa.obscore_json_number(g.coords -> (2 * i + 1)) AS lat
              FROM generate_series(0, CASE WHEN g.problem IS NULL
                                           THEN jsonb_array_length(g.coords) / 2 - 1 END) AS i
            OFFSET 0
          ) AS c
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
     WHERE v.s_region IS NOT NULL AND v.s_region <> '""'
  ) AS rg ON true

  -- Every problem, in column order, then the rules across fields, as one
  -- text (array_to_string skips the NULLs of what is fine).
  CROSS JOIN LATERAL (
    SELECT NOT (v IS NULL) AS seen,
           array_to_string(ARRAY[
               ivoa.obscore_check('dataproduct_type',    v.dataproduct_type,    'ptype'),
               ivoa.obscore_check('calib_level',         v.calib_level,         'calib'),
               ivoa.obscore_check('obs_collection',      v.obs_collection,      'text'),
               ivoa.obscore_check('obs_id',              v.obs_id,              'text'),
               ivoa.obscore_check('obs_publisher_did',   v.obs_publisher_did,   'text'),
               ivoa.obscore_check('access_url',          v.access_url,          'text'),
               ivoa.obscore_check('access_format',       v.access_format,       'text'),
               ivoa.obscore_check('access_estsize',      v.access_estsize,      'size'),
               ivoa.obscore_check('target_name',         v.target_name,         'text'),
               ivoa.obscore_check('s_ra',                v.s_ra,                'ra'),
               ivoa.obscore_check('s_dec',               v.s_dec,               'dec'),
               ivoa.obscore_check('s_fov',               v.s_fov,               'nonneg'),
               ivoa.obscore_check('s_resolution',        v.s_resolution,        'nonneg'),
               ivoa.obscore_check('s_xel1',              v.s_xel1,              'count'),
               ivoa.obscore_check('s_xel2',              v.s_xel2,              'count'),
               ivoa.obscore_check('t_min',               v.t_min,               'real'),
               ivoa.obscore_check('t_max',               v.t_max,               'real'),
               ivoa.obscore_check('t_exptime',           v.t_exptime,           'nonneg'),
               ivoa.obscore_check('t_resolution',        v.t_resolution,        'nonneg'),
               ivoa.obscore_check('t_xel',               v.t_xel,               'count'),
               ivoa.obscore_check('em_min',              v.em_min,              'positive'),
               ivoa.obscore_check('em_max',              v.em_max,              'positive'),
               ivoa.obscore_check('em_res_power',        v.em_res_power,        'nonneg'),
               ivoa.obscore_check('em_xel',              v.em_xel,              'count'),
               ivoa.obscore_check('o_ucd',               v.o_ucd,               'text'),
               ivoa.obscore_check('pol_states',          v.pol_states,          'text'),
               ivoa.obscore_check('pol_xel',             v.pol_xel,             'count'),
               ivoa.obscore_check('facility_name',       v.facility_name,       'text'),
               ivoa.obscore_check('instrument_name',     v.instrument_name,     'text'),
               ivoa.obscore_check('dataproduct_subtype', v.dataproduct_subtype, 'text'),
               ivoa.obscore_check('target_class',        v.target_class,        'text'),
               ivoa.obscore_check('obs_creation_date',   v.obs_creation_date,   'time'),
               ivoa.obscore_check('obs_creator_name',    v.obs_creator_name,    'text'),
               ivoa.obscore_check('obs_creator_did',     v.obs_creator_did,     'text'),
               ivoa.obscore_check('obs_title',           v.obs_title,           'text'),
               ivoa.obscore_check('publisher_id',        v.publisher_id,        'text'),
               ivoa.obscore_check('bib_reference',       v.bib_reference,       'text'),
               ivoa.obscore_check('data_rights',         v.data_rights,         'text'),
               ivoa.obscore_check('obs_release_date',    v.obs_release_date,    'time'),
               ivoa.obscore_check('s_ucd',               v.s_ucd,               'text'),
               ivoa.obscore_check('em_ucd',              v.em_ucd,              'text'),
               ivoa.obscore_check('s_unit',              v.s_unit,              'text'),
               ivoa.obscore_check('em_unit',             v.em_unit,             'text'),
               ivoa.obscore_check('o_unit',              v.o_unit,              'text'),
               ivoa.obscore_check('s_resolution_min',    v.s_resolution_min,    'nonneg'),
               ivoa.obscore_check('s_resolution_max',    v.s_resolution_max,    'nonneg'),
               ivoa.obscore_check('s_pixel_scale',       v.s_pixel_scale,       'nonneg'),
               ivoa.obscore_check('s_calib_status',      v.s_calib_status,      'text'),
               ivoa.obscore_check('t_calib_status',      v.t_calib_status,      'text'),
               ivoa.obscore_check('em_calib_status',     v.em_calib_status,     'text'),
               ivoa.obscore_check('o_calib_status',      v.o_calib_status,      'text'),
               ivoa.obscore_check('s_stat_error',        v.s_stat_error,        'nonneg'),
               ivoa.obscore_check('t_stat_error',        v.t_stat_error,        'nonneg'),
               ivoa.obscore_check('em_stat_error',       v.em_stat_error,       'nonneg'),
               ivoa.obscore_check('o_stat_error',        v.o_stat_error,        'nonneg'),
               ivoa.obscore_check('em_res_power_min',    v.em_res_power_min,    'nonneg'),
               ivoa.obscore_check('em_res_power_max',    v.em_res_power_max,    'nonneg'),
               ivoa.obscore_check('em_resolution',       v.em_resolution,       'nonneg'),
               ivoa.obscore_check('proposal_id',         v.proposal_id,         'text'),
               rg.problem,
               CASE WHEN v.calib_level IS NULL OR v.calib_level = '""'
                    THEN 'calib_level: missing (required)' END,
               CASE WHEN v.obs_collection IS NULL OR v.obs_collection = '""'
                    THEN 'obs_collection: missing (required)' END,
               CASE WHEN v.obs_id IS NULL OR v.obs_id = '""'
                    THEN 'obs_id: missing (required)' END,
               CASE WHEN v.obs_publisher_did IS NULL OR v.obs_publisher_did = '""'
                    THEN 'obs_publisher_did: missing (required)' END,
               CASE WHEN (v.s_ra IS NULL OR v.s_ra = '""') AND NOT (v.s_dec IS NULL OR v.s_dec = '""')
                    THEN 's_ra: missing while s_dec is given' END,
               CASE WHEN (v.s_dec IS NULL OR v.s_dec = '""') AND NOT (v.s_ra IS NULL OR v.s_ra = '""')
                    THEN 's_dec: missing while s_ra is given' END,
               CASE WHEN ivoa.obscore_json_number(v.t_min) > ivoa.obscore_json_number(v.t_max)
                    THEN format('t_min: %s is after t_max %s', v.t_min, v.t_max) END,
               CASE WHEN ivoa.obscore_json_number(v.em_min) > ivoa.obscore_json_number(v.em_max)
                    THEN format('em_min: %s is greater than em_max %s', v.em_min, v.em_max) END
           ], '; ') AS problems
    OFFSET 0
  ) AS p
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
SET search_path = pg_catalog, pgsphere, pg_temp
SET standard_conforming_strings = on
SET jit = off
SET enable_memoize = off
AS $fn$
DECLARE
    conv   record;
    obs    ivoa.obscore;
    why    pg_catalog.text;
    others pg_catalog.text;
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
    -- Whatever ObsCore row the DID had is left as it was.
    RAISE NOTICE 'ivoa.obscore: DID %:% not synchronised: % (SQLSTATE %)',
        did_scope, did_name, SQLERRM, SQLSTATE;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_sync_did(text, text, jsonb) IS
    'Rewrite (or remove) the ObsCore row of one DID; reports problems as NOTICEs, never raises.';
-- Only for the trigger (which runs as the owner) and the owner.
REVOKE ALL ON FUNCTION ivoa.obscore_sync_did(text, text, jsonb) FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Statement trigger on rucio.dids.
--
-- SECURITY DEFINER: the Rucio database account only needs rights on
-- rucio.dids; ivoa.obscore is written with the rights of the owner of this
-- function.  The fixed search_path, pg_temp last, is what makes that safe
-- (see the top of this file).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_sync()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pgsphere, pg_temp
SET standard_conforming_strings = on
-- The inlined conversion makes a large plan with pessimistic row estimates:
-- JIT-compiling it would cost far more than running it (for a single DID
-- above all), and memoizing its per-DID subqueries only costs hashing.
SET jit = off
SET enable_memoize = off
AS $fn$
DECLARE
    msgs      pg_catalog.text[];
    msg       pg_catalog.text;
    one       record;
    ch_scopes pg_catalog.text[];   -- UPDATE: the DIDs whose metadata changed
    ch_names  pg_catalog.text[];
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

        -- Only DIDs whose metadata changed need work: Rucio's
        -- delete_metadata updates every row of rucio.dids, and its
        -- set_metadata often rewrites what is already there.
        SELECT array_agg(n.scope), array_agg(n.name)
          INTO ch_scopes, ch_names
          FROM new_rows AS n
          LEFT JOIN old_rows AS o ON o.scope = n.scope AND o.name = n.name
         WHERE o.scope IS NULL OR o.data IS DISTINCT FROM n.data;
        IF ch_scopes IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;

    -- INSERT or UPDATE: one set-based pass over the statement's rows (all
    -- of them after an INSERT, the changed ones after an UPDATE).
    BEGIN
        WITH src AS (
            SELECT n.scope, n.name, n.data
              FROM new_rows AS n
             WHERE ch_scopes IS NULL
            UNION ALL
            SELECT n.scope, n.name, n.data
              FROM new_rows AS n
              JOIN unnest(ch_scopes, ch_names) AS ch (scope, name)
                ON ch.scope = n.scope AND ch.name = n.name
        ), conv AS MATERIALIZED (
            SELECT s.scope, s.name, f.obs, f.problem
              FROM src AS s
             CROSS JOIN LATERAL ivoa.obscore_convert(s.scope, s.name, s.data) AS f
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
        FOR one IN SELECT n.scope, n.name, n.data
                     FROM new_rows AS n
                    WHERE ch_scopes IS NULL
                       OR (n.scope, n.name) IN (SELECT * FROM unnest(ch_scopes, ch_names)) LOOP
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
REVOKE ALL ON FUNCTION ivoa.obscore_sync() FROM PUBLIC;

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
