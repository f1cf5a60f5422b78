-- Keep ivoa.obscore in step with rucio.dids.
--
-- Rucio's POSTGRES_JSON metadata plugin stores each DID's metadata as one JSON
-- object in rucio.dids.data.  Keys named after ObsCore columns describe the
-- observation; every other key belongs to other users of the metadata and is
-- ignored.  After each statement on rucio.dids the triggers below rebuild the
-- ObsCore rows of the DIDs it touched (after an UPDATE, of those whose
-- ObsCore keys it changed):
--   * a DID whose JSON has the four identification fields ObsCore needs
--     (calib_level, obs_collection, obs_id, obs_publisher_did), well formed,
--     gets (or keeps) exactly one row, keyed on (rucio_did_scope,
--     rucio_did_name).  Any other field that is malformed is left NULL in
--     it: one bad optional value must not cost the DID its place in the
--     catalogue;
--   * a DID whose JSON has ObsCore keys but lacks one of those four, or has
--     one malformed, gets no row (an existing one is removed);
--   * either way every problem found is reported as a NOTICE naming the DID,
--     and kept in ivoa.obscore_problems (one row per DID and field) until the
--     DID's ObsCore keys change (the problems found then replace them) or
--     the DID is deleted;
--   * a DID without ObsCore keys (no JSON, empty or non-object JSON, metadata
--     of something that is not an observation) gets no row, silently;
--   * a deleted DID loses its row and its problems.
--
-- Nothing here may make Rucio's own write fail: every error is caught and
-- reported as a NOTICE, and the statement on rucio.dids goes through.  That
-- includes running out of time: a cancelled statement (statement_timeout in
-- Rucio's session) cannot be caught, so the work one DID can cause is
-- bounded before anything costly runs: a polygon has at most 100 vertices,
-- s_region as text at most 16,384 bytes, an identifier (obs_id,
-- obs_publisher_did) at most 1,024 bytes and any other text at most 8,192
-- bytes.  A longer value is a problem like any other.  The vertex limit is
-- pgSphere's cost: both its check of a new polygon and the key of the GiST
-- index on s_region take time that grows with the square of the vertices.
-- Measured on two shared cores: 100 vertices take some 60 ms in all, 250
-- about 0.3 s, 1,000 about 5 s (4 of them in the index key).
--
-- The triggers work per statement, on the transition tables, so that a bulk
-- load is one set-based INSERT ... SELECT into ivoa.obscore rather than one
-- small statement per DID: they find out which DIDs the statement touched
-- and leave the rest to ivoa.obscore_write(), which ivoa.obscore_rebuild()
-- uses too.  If that set-based write fails as a whole (which the checks are
-- there to prevent), the DIDs are retried one at a time so that one bad DID
-- cannot hold back the others.
--
-- Installing this over an already filled rucio.dids, or repairing ObsCore
-- after a synchronisation failure (reported as "not synchronised", field *
-- in ivoa.obscore_problems), or after the triggers were disabled:
--     SELECT * FROM ivoa.obscore_rebuild();
-- (An "UPDATE rucio.dids SET data = data" does nothing: the triggers skip
-- DIDs whose ObsCore keys did not change.)
--
-- The trigger function runs with its owner's rights (SECURITY DEFINER) in
-- the session of whoever wrote rucio.dids, so nothing that session created
-- may be found by name in it.  Its search_path is therefore
-- "pg_catalog, pgsphere, pg_temp": PostgreSQL looks for a type or relation
-- in pg_temp first unless pg_temp is named, and named last it comes after
-- the two schemas only their owner can write (for functions and operators
-- pg_temp is never searched).  The helpers below are inlined into the
-- trigger's statement, or called from it, and so resolve their names
-- through that same path; types and pgSphere names are schema-qualified
-- besides, so that a mistake in one place does not open the hole again.
-- standard_conforming_strings is fixed too, because the session's setting
-- decides how the patterns in the helpers are read.
--
-- One transaction, so that a session writing rucio.dids meanwhile sees
-- either the old functions or the new ones.

BEGIN;

-- ---------------------------------------------------------------------------
-- What was wrong with the metadata of each DID, as last written.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS ivoa.obscore_problems (
    scope   text        NOT NULL,
    name    text        NOT NULL,
    field   text        NOT NULL,
    excerpt text,
    reason  text        NOT NULL,
    seen    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT obscore_problems_pkey PRIMARY KEY (scope, name, field)
);

-- The DIDs that could not be synchronised at all, which the triggers try
-- again whenever their metadata changes.
CREATE INDEX IF NOT EXISTS obscore_problems_unsynchronised_idx
    ON ivoa.obscore_problems (scope, name) WHERE field = '*';

COMMENT ON TABLE ivoa.obscore_problems IS
    'What is wrong with the ObsCore metadata of each DID of rucio.dids, one row per DID and field; '
    'kept in step by the triggers that fill ivoa.obscore.';
COMMENT ON COLUMN ivoa.obscore_problems.scope IS 'Scope of the DID.';
COMMENT ON COLUMN ivoa.obscore_problems.name IS 'Name of the DID.';
COMMENT ON COLUMN ivoa.obscore_problems.field IS
    'The ObsCore field (JSON key) at fault, or * when the DID could not be synchronised at all.';
COMMENT ON COLUMN ivoa.obscore_problems.excerpt IS
    'The start of the value as JSON text (at most 80 characters); NULL when it is missing.';
COMMENT ON COLUMN ivoa.obscore_problems.reason IS 'What is wrong with it.';
COMMENT ON COLUMN ivoa.obscore_problems.seen IS
    'When the metadata with this problem was written (start of that transaction).';

-- Whoever may read the catalogue may read why a DID is missing from it, or
-- published without some values.  Granted again each time this file is
-- applied, to the roles that can read ivoa.obscore by then.
DO $$
DECLARE
    who pg_catalog.text;
BEGIN
    FOR who IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                             ELSE pg_catalog.quote_ident(r.rolname) END
          FROM pg_catalog.pg_class AS c
         CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) AS a
          LEFT JOIN pg_catalog.pg_roles AS r ON r.oid = a.grantee
         WHERE c.oid = 'ivoa.obscore'::pg_catalog.regclass
           AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('GRANT SELECT ON ivoa.obscore_problems TO %s', who);
    END LOOP;
END
$$;

-- Older versions of the functions below, with other signatures.
DROP FUNCTION IF EXISTS ivoa.obscore_check(text, jsonb, text);
DROP FUNCTION IF EXISTS ivoa.obscore_convert(text, text, jsonb);
DROP FUNCTION IF EXISTS ivoa.obscore_text(jsonb);
DROP FUNCTION IF EXISTS ivoa.obscore_bounded(text, integer);
DROP FUNCTION IF EXISTS ivoa.obscore_sync_did(text, text, jsonb);


-- ---------------------------------------------------------------------------
-- A string holding a plain decimal number, as numeric; NULL for anything
-- else.
--
-- The pattern keeps out what numeric would otherwise accept but a double
-- column cannot hold or should not hold (NaN, Infinity) and limits the
-- exponent so that the cast itself can never fail.  Deliberately plain SQL
-- without a SET clause, so that the planner inlines it.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_text_number(t text)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN t ~ '^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?\s*$'
                THEN pg_catalog.btrim(t)::numeric
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_text_number(text) IS
    'A numeric string as numeric, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A JSON number, or a string holding a plain decimal number, as numeric;
-- NULL for anything else.  Rucio clients often store numbers as strings
-- ("s_ra": "349.7905833"), so both are accepted.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_json_number(v jsonb)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE jsonb_typeof(v)
               WHEN 'number' THEN v::numeric
               WHEN 'string' THEN ivoa.obscore_text_number(v #>> '{}')
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_json_number(jsonb) IS
    'A JSON number or numeric string as numeric, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A number as a double if it lies in [lo, hi]; NULL otherwise, and for a
-- number so close to zero that a double cannot hold it (the cast would
-- raise).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_float8(n numeric, lo numeric, hi numeric)
RETURNS double precision
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN n >= lo AND n <= hi AND (n = 0 OR abs(n) >= 1e-300)
                THEN n::double precision
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_float8(numeric, numeric, numeric) IS
    'A number in [lo, hi] as double precision, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A whole number >= lo as a bigint; NULL otherwise.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_int8(n numeric, lo numeric)
RETURNS bigint
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN n >= lo AND n <= 9223372036854775807 AND n = trunc(n)
                THEN n::bigint
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_int8(numeric, numeric) IS
    'A whole number >= lo as bigint, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A longitude wrapped into [0, 360).
--
-- Exact decimal arithmetic, so that 370 gives 10 and not 9.99999999999999 as
-- pgSphere's own floating-point wrapping would; only the final rounding to a
-- double can still reach 360, which is 0 again.  Rounded to 20 decimals
-- first, far below what a double holds, so that no remainder is too small
-- for one (the cast would raise).  Most longitudes are in range already, and
-- so only rounded.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_wrap360(x numeric)
RETURNS numeric
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN x >= 0 AND x < 359 THEN round(x, 20)
                WHEN mod(mod(round(x, 20), 360) + 360, 360)::double precision >= 360 THEN 0
                ELSE mod(mod(round(x, 20), 360) + 360, 360)
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_wrap360(numeric) IS
    'A longitude in degrees wrapped into [0, 360).';


-- ---------------------------------------------------------------------------
-- A JSON value as text: strings as they are, numbers as written; NULL for
-- anything else, for JSON null and "", and for text longer than max_bytes.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_text(v jsonb, max_bytes integer)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number') AND octet_length(v #>> '{}') <= max_bytes
                THEN nullif(v #>> '{}', '')
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_text(jsonb, integer) IS
    'A JSON string or number of at most max_bytes bytes as text, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- A dataproduct_type from ObsCore's list, in any case, as lower case; NULL
-- for anything else.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_ptype(v jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN lower(v #>> '{}') IN ('image', 'cube', 'spectrum', 'sed', 'timeseries',
                                           'visibility', 'event', 'measurements')
                     AND jsonb_typeof(v) = 'string'
                THEN lower(v #>> '{}')
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_ptype(jsonb) IS
    'An ObsCore dataproduct_type from JSON, lower case, else NULL (never raises).';


-- ---------------------------------------------------------------------------
-- Whether a JSON value means "no value": absent, JSON null (both SQL NULL
-- here) or "".
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_absent(v jsonb)
RETURNS boolean
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT v IS NULL OR v = '""'::pg_catalog.jsonb
$$;

COMMENT ON FUNCTION ivoa.obscore_absent(jsonb) IS
    'Whether a JSON value stands for no value (SQL NULL or "").';


-- ---------------------------------------------------------------------------
-- The ObsCore keys of the metadata, as a constant: the columns of
-- ivoa.obscore but the two that name the DID.  Written here from the table
-- itself, so that the two cannot drift apart.
-- ---------------------------------------------------------------------------
DO $$
BEGIN
    EXECUTE pg_catalog.format(
        'CREATE OR REPLACE FUNCTION ivoa.obscore_keys() RETURNS pg_catalog.text[] '
        'LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L',
        pg_catalog.format('SELECT %L::pg_catalog.text[]',
            (SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute AS a
              WHERE a.attrelid = 'ivoa.obscore'::pg_catalog.regclass
                AND a.attnum > 0 AND NOT a.attisdropped
                AND a.attname NOT IN ('rucio_did_scope', 'rucio_did_name'))));
END
$$;

COMMENT ON FUNCTION ivoa.obscore_keys() IS
    'The ObsCore keys of a DID''s metadata: the columns of ivoa.obscore but rucio_did_scope and rucio_did_name.';


-- ---------------------------------------------------------------------------
-- The keys of a DID's metadata that are not ObsCore keys, with their values;
-- NULL when the metadata is not a JSON object.
--
-- What the UPDATE trigger compares two versions of a DID's metadata by,
-- without building the ObsCore part of either.  With u the other keys of
-- both (the old version's, then the new one's over them), old || u and
-- new || u hold the same other keys, and so are equal exactly when the two
-- versions agree in every ObsCore key.  Cheaper tests come first: when the
-- other keys are the same on both sides, two versions that differ must
-- differ in an ObsCore key; when old || new's other keys is new (other keys
-- were added or changed), or new || old's other keys is old (some were
-- removed), they agree in every ObsCore key.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_other_keys(d jsonb)
RETURNS jsonb
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(d) = 'object' THEN d - ivoa.obscore_keys() END
$$;

COMMENT ON FUNCTION ivoa.obscore_other_keys(jsonb) IS
    'The keys of a JSON object that are not ObsCore keys, with their values; NULL for anything else.';


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
-- Why the value v of an ObsCore field of the given kind did not make it into
-- its column.  Only called for a value that did not; n is v as a number for
-- the numeric kinds.
--
-- The kinds, and what each column takes:
--   text      string (a number is taken as its text), at most 8,192 bytes
--   ident     the same, at most 1,024 bytes (obs_id, obs_publisher_did)
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
-- Numbers may be JSON numbers or numeric strings, within 1e-300 .. 1e300
-- in magnitude (or 0).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_why(kind text, n numeric, v jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
               WHEN kind IN ('text', 'ident', 'ptype')
                    AND jsonb_typeof(v) NOT IN ('string', 'number')
                   THEN 'expected a string, got a JSON ' || jsonb_typeof(v)
               WHEN kind = 'text' THEN 'longer than 8192 bytes'
               WHEN kind = 'ident' THEN 'longer than 1024 bytes'
               WHEN kind = 'ptype'
                   THEN 'not one of image, cube, spectrum, sed, timeseries, visibility, '
                        'event, measurements'
               WHEN kind = 'time'
                   THEN 'not an ISO 8601 date or date-time (YYYY-MM-DD[Thh:mm[:ss[.s]]][Z|+hh:mm])'
               WHEN n IS NULL THEN 'not a number'
               WHEN abs(n) > 1e300 OR (n <> 0 AND abs(n) < 1e-300) THEN 'out of range'
               WHEN kind IN ('calib', 'count', 'size') AND n <> trunc(n) THEN 'not an integer'
               WHEN kind = 'calib' THEN 'outside 0..4'
               WHEN kind = 'count' AND n < -1 THEN 'not a count (>= 0, or -1 for event lists)'
               WHEN kind = 'size' AND n < 0 THEN 'negative'
               WHEN kind = 'dec' THEN 'outside [-90, 90]'
               WHEN kind = 'nonneg' THEN 'negative'
               WHEN kind = 'positive' THEN 'not positive'
               ELSE 'out of range'
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_why(text, numeric, jsonb) IS
    'Why a JSON value does not fit the ObsCore column kind it was read as.';


-- ---------------------------------------------------------------------------
-- One row of ivoa.obscore_problems when there is a reason, else NULL.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_problem(did_scope text, did_name text, field text,
                                                v jsonb, why text)
RETURNS ivoa.obscore_problems
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN why IS NOT NULL
                THEN ROW(did_scope, did_name, field, left(v::pg_catalog.text, 80), why,
                         now())::ivoa.obscore_problems
           END
$$;

COMMENT ON FUNCTION ivoa.obscore_problem(text, text, text, jsonb, text) IS
    'A row of ivoa.obscore_problems, or NULL when why is NULL.';


-- ---------------------------------------------------------------------------
-- The NOTICE that reports the problems of one DID.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_notice(did_scope text, did_name text, published boolean,
                                               problems ivoa.obscore_problems[])
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
AS $$
    SELECT format('ivoa.obscore: DID %s:%s %s: %s', did_scope, did_name,
                  CASE WHEN published THEN 'published without the values at fault'
                       ELSE 'has no ObsCore row' END,
                  (SELECT string_agg(CASE WHEN p.excerpt IS NULL
                                          THEN format('%s: %s', p.field, p.reason)
                                          ELSE format('%s = %s: %s', p.field, p.excerpt, p.reason)
                                     END, '; ')
                     FROM unnest(problems) AS p))
$$;

COMMENT ON FUNCTION ivoa.obscore_notice(text, text, boolean, ivoa.obscore_problems[]) IS
    'The NOTICE text reporting the problems of one DID.';


-- ---------------------------------------------------------------------------
-- s_region as a pgSphere polygon, or why it cannot be one.
--
-- Four forms are taken:
--   * a DALI polygon: JSON array of lon, lat in degrees (numbers or numeric
--     strings), at least 3 vertices;
--   * the same numbers as one space-separated string (DALI's VOTable form);
--   * STC-S "Polygon [ICRS [refpos] [SPHERICAL2]] lon lat lon lat ...";
--   * pgSphere's own spoly literal, "{(lon,lat),...}", as the prototype's
--     metadata holds it: degrees with d (or d m s, h m s), unsuffixed numbers
--     are radians.  pgSphere reads it itself, so that exactly what pgSphere
--     accepts is accepted.
-- Longitudes of the DALI and STC-S forms are wrapped into [0, 360), and
-- latitudes must lie in [-90, 90].
--
-- Every limit is checked before pgSphere sees the polygon: its own check
-- (edges may not cross, nor span half the sky) and the index key take time
-- that grows with the square of the vertices, and a cancelled statement
-- cannot be caught.
-- Whatever pgSphere still refuses is caught here, one polygon at a time,
-- so that it costs the DID its s_region and nothing else.
--
-- PL/pgSQL for the exception block, called once per DID with an s_region
-- (STRICT: never for one without).  Not SECURITY DEFINER and no SET
-- clause: it runs with the rights and search_path of its caller, the
-- trigger, and names its types with their schema.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_region(v jsonb, OUT poly pgsphere.spoly, OUT why text)
LANGUAGE plpgsql
-- Not PARALLEL SAFE: a subtransaction cannot start in a parallel operation.
STABLE STRICT
AS $fn$
DECLARE
    max_vertices CONSTANT pg_catalog.int4 := 100;    -- see the top of this file
    max_bytes    CONSTANT pg_catalog.int4 := 16384;
    s       pg_catalog.text;    -- the value, when a string
    words   pg_catalog.text[];  -- its words
    frame   pg_catalog.text[];  -- STC-S: the words between Polygon and the numbers
    coords  pg_catalog.text[];  -- lon lat lon lat ...
    lit     pg_catalog.text;    -- the polygon as pgSphere's literal
    i       pg_catalog.int4;
    bad     pg_catalog.int8;    -- first coordinate that is not a number
    bad_lat pg_catalog.int8;    -- first latitude outside [-90, 90]
BEGIN
    CASE jsonb_typeof(v)
    WHEN 'array' THEN
        IF jsonb_array_length(v) > 2 * max_vertices THEN
            why := format('more than %s vertices', max_vertices);
            RETURN;
        END IF;
        coords := ARRAY(SELECT jsonb_array_elements_text(v));
    WHEN 'string' THEN
        s := v #>> '{}';
        IF s = '' THEN
            RETURN;
        ELSIF octet_length(s) > max_bytes THEN
            why := format('longer than %s bytes', max_bytes);
            RETURN;
        ELSIF ltrim(s, E' \t\r\n') LIKE '{%' THEN
            IF octet_length(s) - octet_length(replace(s, '(', '')) > max_vertices THEN
                why := format('more than %s vertices', max_vertices);
                RETURN;
            END IF;
            lit := s;
        ELSE
            words := regexp_split_to_array(btrim(s, E' \t\r\n'), '\s+');
            IF cardinality(words) > 2 * max_vertices + 5 THEN
                why := format('more than %s vertices', max_vertices);
                RETURN;
            ELSIF upper(words[1]) = 'POLYGON' THEN
                i := 2;
                WHILE i <= cardinality(words) AND words[i] ~ '^[A-Za-z][A-Za-z0-9_]*$' LOOP
                    i := i + 1;
                END LOOP;
                frame := ARRAY(SELECT upper(w) FROM unnest(words[2:i - 1]) AS w);
                IF cardinality(frame) > 0 AND frame[1] <> 'ICRS' THEN
                    why := format('STC-S frame %s is not supported (only ICRS)', frame[1]);
                    RETURN;
                ELSIF NOT frame[2:] <@ ARRAY['BARYCENTER', 'GEOCENTER', 'HELIOCENTER', 'LSR',
                                             'TOPOCENTER', 'RELOCATABLE', 'UNKNOWNREFPOS',
                                             'SPHERICAL2'] THEN
                    why := format('unexpected STC-S words %s', array_to_string(frame[2:], ' '));
                    RETURN;
                END IF;
                coords := words[i:];
            ELSIF words[1] ~ '^[+-]?[0-9.]' THEN
                coords := words;
            END IF;
        END IF;
    ELSE
        NULL;
    END CASE;

    IF lit IS NULL THEN
        IF coords IS NULL THEN
            why := format('expected a DALI polygon (JSON array of lon, lat in degrees), an STC-S '
                          '"Polygon ICRS lon lat ..." string or a pgSphere polygon '
                          '"{(lon,lat),...}", got %s',
                          CASE jsonb_typeof(v) WHEN 'string' THEN 'another string'
                                               ELSE 'a JSON ' || jsonb_typeof(v) END);
            RETURN;
        ELSIF cardinality(coords) > 2 * max_vertices THEN
            why := format('more than %s vertices', max_vertices);
            RETURN;
        ELSIF cardinality(coords) < 6 OR cardinality(coords) % 2 <> 0 THEN
            why := format('a polygon needs an even number (>= 6) of coordinates, got %s',
                          cardinality(coords));
            RETURN;
        END IF;
        SELECT string_agg(CASE WHEN u.i % 2 = 1
                               THEN CASE WHEN u.i > 1 THEN ',(' ELSE '(' END
                                    || ivoa.obscore_wrap360(u.n) || 'd,'
                               ELSE u.n || 'd)'
                          END, '' ORDER BY u.i),
               min(u.i) FILTER (WHERE u.n IS NULL OR (u.i % 2 = 1 AND abs(u.n) > 1e9)),
               min(u.i) FILTER (WHERE u.i % 2 = 0 AND u.n NOT BETWEEN -90 AND 90)
          INTO lit, bad, bad_lat
          FROM (SELECT w.i, ivoa.obscore_text_number(w.t) AS n
                  FROM unnest(coords) WITH ORDINALITY AS w (t, i)
                OFFSET 0) AS u;
        IF bad IS NOT NULL THEN
            i := (bad + 1) / 2;
            why := format('vertex %s (%s, %s) is not a pair of numbers', i,
                          coords[2 * i - 1], coords[2 * i]);
            RETURN;
        ELSIF bad_lat IS NOT NULL THEN
            why := format('vertex %s latitude %s is outside [-90, 90]', bad_lat / 2,
                          coords[bad_lat]);
            RETURN;
        END IF;
        lit := '{' || lit || '}';
    END IF;

    BEGIN
        poly := lit::pgsphere.spoly;
    EXCEPTION WHEN OTHERS THEN
        why := 'not a polygon pgSphere accepts: ' || SQLERRM;
    END;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_region(jsonb) IS
    's_region from JSON (DALI, STC-S or pgSphere polygon) as spoly, or why not (never raises but when cancelled).';
-- Only for the triggers: a session that called it first, with other
-- settings (standard_conforming_strings), would keep it compiled so.
REVOKE ALL ON FUNCTION ivoa.obscore_region(jsonb) FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- The ObsCore row one DID's metadata describes, and what is wrong with it.
--
-- Always exactly one row (obs, suspect, problems):
--   obs       the row, NULL when the DID does not describe an observation at
--             all (no JSON object, or no ObsCore key with a non-null value
--             in it) or lacks (or has malformed) one of calib_level,
--             obs_collection, obs_id, obs_publisher_did.  ("obs NULL" is
--             tested as (obs).rucio_did_name IS NULL: a composite IS NULL
--             test would also be true for a row that merely has a NULL
--             column.)  A malformed optional value is NULL in it;
--   suspect   whether anything may be wrong: a value given but not taken
--             (or given as ""), a rule across fields broken, an
--             identification field missing;
--   problems  what is wrong, one ivoa.obscore_problems row per field, NULL
--             when nothing is; only worked out when with_problems is true.
--
-- Each ObsCore key is read as its kind (see ivoa.obscore_why()); s_region
-- by ivoa.obscore_region().  JSON null and "" mean "no value", as an absent
-- key does; other keys are ignored.  Across fields: a position is kept only
-- whole (s_ra with s_dec), and t_min > t_max or em_min > em_max leave both
-- out.  pol_xel is 0 when absent, as ObsCore says.  Nothing here raises.
--
-- Plain SQL in one SELECT, without SET options, so that the planner inlines
-- it into the triggers' statement: a bulk load then costs one plan, not one
-- call per DID.  (Being inlined, it resolves names through the caller's
-- search_path, which the trigger functions fix.)  Each value is converted
-- once, in the layers t (text as stored, numbers as numeric) and c
-- (numbers within their column's limits, as its type), each kept from being
-- merged into the next by OFFSET 0: a merged layer would repeat its
-- expressions at every use.  The ROW below
-- lists ivoa.obscore's columns in table order.
--
-- Called with with_problems a constant false, the planner drops the
-- problems, which are most of the plan, altogether: that is what the
-- triggers do first, for every DID of a statement; only the suspect ones
-- are converted again, with their problems.  Setting up a plan this size
-- costs more than converting one DID, and every single-DID statement pays
-- it.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_convert(did_scope text, did_name text, did_data jsonb,
                                     with_problems boolean)
RETURNS TABLE (obs ivoa.obscore, suspect boolean, problems ivoa.obscore_problems[])
LANGUAGE sql
STABLE
AS $fn$
SELECT CASE WHEN t.given > 0 AND c.calib_level IS NOT NULL AND t.obs_collection IS NOT NULL
                 AND t.obs_id IS NOT NULL AND t.obs_publisher_did IS NOT NULL THEN
           ROW(
               t.dataproduct_type,
               c.calib_level,
               t.obs_collection,
               t.obs_id,
               t.obs_publisher_did,
               t.access_url,
               t.access_format,
               c.access_estsize,
               t.target_name,
               CASE WHEN c.s_dec IS NOT NULL THEN c.s_ra::double precision END,
               CASE WHEN c.s_ra IS NOT NULL THEN c.s_dec END,
               c.s_fov,
               c.s_region,
               c.s_resolution,
               c.s_xel1,
               c.s_xel2,
               CASE WHEN c.t_min > c.t_max THEN NULL ELSE c.t_min END,
               CASE WHEN c.t_min > c.t_max THEN NULL ELSE c.t_max END,
               c.t_exptime,
               c.t_resolution,
               c.t_xel,
               CASE WHEN c.em_min > c.em_max THEN NULL ELSE c.em_min END,
               CASE WHEN c.em_min > c.em_max THEN NULL ELSE c.em_max END,
               c.em_res_power,
               c.em_xel,
               t.o_ucd,
               t.pol_states,
               CASE WHEN ivoa.obscore_absent(v.pol_xel) THEN 0 ELSE c.pol_xel END,
               t.facility_name,
               t.instrument_name,
               t.dataproduct_subtype,
               t.target_class,
               c.obs_creation_date,
               t.obs_creator_name,
               t.obs_creator_did,
               t.obs_title,
               t.publisher_id,
               t.bib_reference,
               t.data_rights,
               c.obs_release_date,
               t.s_ucd,
               t.em_ucd,
               t.s_unit,
               t.em_unit,
               t.o_unit,
               c.s_resolution_min,
               c.s_resolution_max,
               c.s_pixel_scale,
               t.s_calib_status,
               t.t_calib_status,
               t.em_calib_status,
               t.o_calib_status,
               c.s_stat_error,
               c.t_stat_error,
               c.em_stat_error,
               c.o_stat_error,
               c.em_res_power_min,
               c.em_res_power_max,
               c.em_resolution,
               t.proposal_id,
               did_scope,
               did_name
           )::ivoa.obscore
       END,
       t.given > 0
       AND (c.calib_level IS NULL OR t.obs_collection IS NULL OR t.obs_id IS NULL
            OR t.obs_publisher_did IS NULL
            OR (c.s_ra IS NULL) <> (c.s_dec IS NULL)
            OR c.t_min > c.t_max OR c.em_min > c.em_max
            OR t.given <> num_nonnulls(t.dataproduct_type, c.calib_level,
                                 t.obs_collection, t.obs_id,
                                 t.obs_publisher_did, t.access_url,
                                 t.access_format, c.access_estsize,
                                 t.target_name, c.s_ra, c.s_dec, c.s_fov,
                                 c.s_region, c.s_resolution, c.s_xel1, c.s_xel2,
                                 c.t_min, c.t_max, c.t_exptime, c.t_resolution,
                                 c.t_xel, c.em_min, c.em_max, c.em_res_power,
                                 c.em_xel, t.o_ucd, t.pol_states, c.pol_xel,
                                 t.facility_name, t.instrument_name,
                                 t.dataproduct_subtype, t.target_class,
                                 c.obs_creation_date, t.obs_creator_name,
                                 t.obs_creator_did, t.obs_title, t.publisher_id,
                                 t.bib_reference, t.data_rights,
                                 c.obs_release_date, t.s_ucd, t.em_ucd,
                                 t.s_unit, t.em_unit, t.o_unit,
                                 c.s_resolution_min, c.s_resolution_max,
                                 c.s_pixel_scale, t.s_calib_status,
                                 t.t_calib_status, t.em_calib_status,
                                 t.o_calib_status, c.s_stat_error,
                                 c.t_stat_error, c.em_stat_error,
                                 c.o_stat_error, c.em_res_power_min,
                                 c.em_res_power_max, c.em_resolution,
                                 t.proposal_id)),
       CASE WHEN with_problems AND t.given > 0 THEN
           nullif(array_remove(ARRAY[
               ivoa.obscore_problem(did_scope, did_name, 'dataproduct_type', v.dataproduct_type,
                   CASE WHEN t.dataproduct_type IS NULL AND NOT ivoa.obscore_absent(v.dataproduct_type)
                   THEN ivoa.obscore_why('ptype', NULL, v.dataproduct_type) END),
               ivoa.obscore_problem(did_scope, did_name, 'calib_level', v.calib_level,
                   CASE WHEN c.calib_level IS NOT NULL THEN NULL
                   WHEN ivoa.obscore_absent(v.calib_level) THEN 'missing (required)'
                   ELSE ivoa.obscore_why('calib', t.calib_level, v.calib_level) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_collection', v.obs_collection,
                   CASE WHEN t.obs_collection IS NOT NULL THEN NULL
                   WHEN ivoa.obscore_absent(v.obs_collection) THEN 'missing (required)'
                   ELSE ivoa.obscore_why('text', NULL, v.obs_collection) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_id', v.obs_id,
                   CASE WHEN t.obs_id IS NOT NULL THEN NULL
                   WHEN ivoa.obscore_absent(v.obs_id) THEN 'missing (required)'
                   ELSE ivoa.obscore_why('ident', NULL, v.obs_id) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_publisher_did', v.obs_publisher_did,
                   CASE WHEN t.obs_publisher_did IS NOT NULL THEN NULL
                   WHEN ivoa.obscore_absent(v.obs_publisher_did) THEN 'missing (required)'
                   ELSE ivoa.obscore_why('ident', NULL, v.obs_publisher_did) END),
               ivoa.obscore_problem(did_scope, did_name, 'access_url', v.access_url,
                   CASE WHEN t.access_url IS NULL AND NOT ivoa.obscore_absent(v.access_url)
                   THEN ivoa.obscore_why('text', NULL, v.access_url) END),
               ivoa.obscore_problem(did_scope, did_name, 'access_format', v.access_format,
                   CASE WHEN t.access_format IS NULL AND NOT ivoa.obscore_absent(v.access_format)
                   THEN ivoa.obscore_why('text', NULL, v.access_format) END),
               ivoa.obscore_problem(did_scope, did_name, 'access_estsize', v.access_estsize,
                   CASE WHEN c.access_estsize IS NULL AND NOT ivoa.obscore_absent(v.access_estsize)
                   THEN ivoa.obscore_why('size', t.access_estsize, v.access_estsize) END),
               ivoa.obscore_problem(did_scope, did_name, 'target_name', v.target_name,
                   CASE WHEN t.target_name IS NULL AND NOT ivoa.obscore_absent(v.target_name)
                   THEN ivoa.obscore_why('text', NULL, v.target_name) END),
               ivoa.obscore_problem(did_scope, did_name, 's_ra', v.s_ra,
                   CASE WHEN c.s_ra IS NOT NULL THEN NULL
                   WHEN NOT ivoa.obscore_absent(v.s_ra) THEN ivoa.obscore_why('ra', t.s_ra, v.s_ra)
                   WHEN c.s_dec IS NOT NULL THEN 'missing while s_dec is given' END),
               ivoa.obscore_problem(did_scope, did_name, 's_dec', v.s_dec,
                   CASE WHEN c.s_dec IS NOT NULL THEN NULL
                   WHEN NOT ivoa.obscore_absent(v.s_dec) THEN ivoa.obscore_why('dec', t.s_dec, v.s_dec)
                   WHEN c.s_ra IS NOT NULL THEN 'missing while s_ra is given' END),
               ivoa.obscore_problem(did_scope, did_name, 's_fov', v.s_fov,
                   CASE WHEN c.s_fov IS NULL AND NOT ivoa.obscore_absent(v.s_fov)
                   THEN ivoa.obscore_why('nonneg', t.s_fov, v.s_fov) END),
               ivoa.obscore_problem(did_scope, did_name, 's_region', v.s_region,
                   (t.s_region).why),
               ivoa.obscore_problem(did_scope, did_name, 's_resolution', v.s_resolution,
                   CASE WHEN c.s_resolution IS NULL AND NOT ivoa.obscore_absent(v.s_resolution)
                   THEN ivoa.obscore_why('nonneg', t.s_resolution, v.s_resolution) END),
               ivoa.obscore_problem(did_scope, did_name, 's_xel1', v.s_xel1,
                   CASE WHEN c.s_xel1 IS NULL AND NOT ivoa.obscore_absent(v.s_xel1)
                   THEN ivoa.obscore_why('count', t.s_xel1, v.s_xel1) END),
               ivoa.obscore_problem(did_scope, did_name, 's_xel2', v.s_xel2,
                   CASE WHEN c.s_xel2 IS NULL AND NOT ivoa.obscore_absent(v.s_xel2)
                   THEN ivoa.obscore_why('count', t.s_xel2, v.s_xel2) END),
               ivoa.obscore_problem(did_scope, did_name, 't_min', v.t_min,
                   CASE WHEN c.t_min > c.t_max THEN 'after t_max ' || left(v.t_max::pg_catalog.text, 40)
                   WHEN c.t_min IS NULL AND NOT ivoa.obscore_absent(v.t_min)
                       THEN ivoa.obscore_why('real', t.t_min, v.t_min) END),
               ivoa.obscore_problem(did_scope, did_name, 't_max', v.t_max,
                   CASE WHEN c.t_max IS NULL AND NOT ivoa.obscore_absent(v.t_max)
                   THEN ivoa.obscore_why('real', t.t_max, v.t_max) END),
               ivoa.obscore_problem(did_scope, did_name, 't_exptime', v.t_exptime,
                   CASE WHEN c.t_exptime IS NULL AND NOT ivoa.obscore_absent(v.t_exptime)
                   THEN ivoa.obscore_why('nonneg', t.t_exptime, v.t_exptime) END),
               ivoa.obscore_problem(did_scope, did_name, 't_resolution', v.t_resolution,
                   CASE WHEN c.t_resolution IS NULL AND NOT ivoa.obscore_absent(v.t_resolution)
                   THEN ivoa.obscore_why('nonneg', t.t_resolution, v.t_resolution) END),
               ivoa.obscore_problem(did_scope, did_name, 't_xel', v.t_xel,
                   CASE WHEN c.t_xel IS NULL AND NOT ivoa.obscore_absent(v.t_xel)
                   THEN ivoa.obscore_why('count', t.t_xel, v.t_xel) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_min', v.em_min,
                   CASE WHEN c.em_min > c.em_max THEN 'greater than em_max ' || left(v.em_max::pg_catalog.text, 40)
                   WHEN c.em_min IS NULL AND NOT ivoa.obscore_absent(v.em_min)
                       THEN ivoa.obscore_why('positive', t.em_min, v.em_min) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_max', v.em_max,
                   CASE WHEN c.em_max IS NULL AND NOT ivoa.obscore_absent(v.em_max)
                   THEN ivoa.obscore_why('positive', t.em_max, v.em_max) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_res_power', v.em_res_power,
                   CASE WHEN c.em_res_power IS NULL AND NOT ivoa.obscore_absent(v.em_res_power)
                   THEN ivoa.obscore_why('nonneg', t.em_res_power, v.em_res_power) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_xel', v.em_xel,
                   CASE WHEN c.em_xel IS NULL AND NOT ivoa.obscore_absent(v.em_xel)
                   THEN ivoa.obscore_why('count', t.em_xel, v.em_xel) END),
               ivoa.obscore_problem(did_scope, did_name, 'o_ucd', v.o_ucd,
                   CASE WHEN t.o_ucd IS NULL AND NOT ivoa.obscore_absent(v.o_ucd)
                   THEN ivoa.obscore_why('text', NULL, v.o_ucd) END),
               ivoa.obscore_problem(did_scope, did_name, 'pol_states', v.pol_states,
                   CASE WHEN t.pol_states IS NULL AND NOT ivoa.obscore_absent(v.pol_states)
                   THEN ivoa.obscore_why('text', NULL, v.pol_states) END),
               ivoa.obscore_problem(did_scope, did_name, 'pol_xel', v.pol_xel,
                   CASE WHEN c.pol_xel IS NULL AND NOT ivoa.obscore_absent(v.pol_xel)
                   THEN ivoa.obscore_why('count', t.pol_xel, v.pol_xel) END),
               ivoa.obscore_problem(did_scope, did_name, 'facility_name', v.facility_name,
                   CASE WHEN t.facility_name IS NULL AND NOT ivoa.obscore_absent(v.facility_name)
                   THEN ivoa.obscore_why('text', NULL, v.facility_name) END),
               ivoa.obscore_problem(did_scope, did_name, 'instrument_name', v.instrument_name,
                   CASE WHEN t.instrument_name IS NULL AND NOT ivoa.obscore_absent(v.instrument_name)
                   THEN ivoa.obscore_why('text', NULL, v.instrument_name) END),
               ivoa.obscore_problem(did_scope, did_name, 'dataproduct_subtype', v.dataproduct_subtype,
                   CASE WHEN t.dataproduct_subtype IS NULL AND NOT ivoa.obscore_absent(v.dataproduct_subtype)
                   THEN ivoa.obscore_why('text', NULL, v.dataproduct_subtype) END),
               ivoa.obscore_problem(did_scope, did_name, 'target_class', v.target_class,
                   CASE WHEN t.target_class IS NULL AND NOT ivoa.obscore_absent(v.target_class)
                   THEN ivoa.obscore_why('text', NULL, v.target_class) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_creation_date', v.obs_creation_date,
                   CASE WHEN c.obs_creation_date IS NULL AND NOT ivoa.obscore_absent(v.obs_creation_date)
                   THEN ivoa.obscore_why('time', NULL, v.obs_creation_date) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_creator_name', v.obs_creator_name,
                   CASE WHEN t.obs_creator_name IS NULL AND NOT ivoa.obscore_absent(v.obs_creator_name)
                   THEN ivoa.obscore_why('text', NULL, v.obs_creator_name) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_creator_did', v.obs_creator_did,
                   CASE WHEN t.obs_creator_did IS NULL AND NOT ivoa.obscore_absent(v.obs_creator_did)
                   THEN ivoa.obscore_why('text', NULL, v.obs_creator_did) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_title', v.obs_title,
                   CASE WHEN t.obs_title IS NULL AND NOT ivoa.obscore_absent(v.obs_title)
                   THEN ivoa.obscore_why('text', NULL, v.obs_title) END),
               ivoa.obscore_problem(did_scope, did_name, 'publisher_id', v.publisher_id,
                   CASE WHEN t.publisher_id IS NULL AND NOT ivoa.obscore_absent(v.publisher_id)
                   THEN ivoa.obscore_why('text', NULL, v.publisher_id) END),
               ivoa.obscore_problem(did_scope, did_name, 'bib_reference', v.bib_reference,
                   CASE WHEN t.bib_reference IS NULL AND NOT ivoa.obscore_absent(v.bib_reference)
                   THEN ivoa.obscore_why('text', NULL, v.bib_reference) END),
               ivoa.obscore_problem(did_scope, did_name, 'data_rights', v.data_rights,
                   CASE WHEN t.data_rights IS NULL AND NOT ivoa.obscore_absent(v.data_rights)
                   THEN ivoa.obscore_why('text', NULL, v.data_rights) END),
               ivoa.obscore_problem(did_scope, did_name, 'obs_release_date', v.obs_release_date,
                   CASE WHEN c.obs_release_date IS NULL AND NOT ivoa.obscore_absent(v.obs_release_date)
                   THEN ivoa.obscore_why('time', NULL, v.obs_release_date) END),
               ivoa.obscore_problem(did_scope, did_name, 's_ucd', v.s_ucd,
                   CASE WHEN t.s_ucd IS NULL AND NOT ivoa.obscore_absent(v.s_ucd)
                   THEN ivoa.obscore_why('text', NULL, v.s_ucd) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_ucd', v.em_ucd,
                   CASE WHEN t.em_ucd IS NULL AND NOT ivoa.obscore_absent(v.em_ucd)
                   THEN ivoa.obscore_why('text', NULL, v.em_ucd) END),
               ivoa.obscore_problem(did_scope, did_name, 's_unit', v.s_unit,
                   CASE WHEN t.s_unit IS NULL AND NOT ivoa.obscore_absent(v.s_unit)
                   THEN ivoa.obscore_why('text', NULL, v.s_unit) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_unit', v.em_unit,
                   CASE WHEN t.em_unit IS NULL AND NOT ivoa.obscore_absent(v.em_unit)
                   THEN ivoa.obscore_why('text', NULL, v.em_unit) END),
               ivoa.obscore_problem(did_scope, did_name, 'o_unit', v.o_unit,
                   CASE WHEN t.o_unit IS NULL AND NOT ivoa.obscore_absent(v.o_unit)
                   THEN ivoa.obscore_why('text', NULL, v.o_unit) END),
               ivoa.obscore_problem(did_scope, did_name, 's_resolution_min', v.s_resolution_min,
                   CASE WHEN c.s_resolution_min IS NULL AND NOT ivoa.obscore_absent(v.s_resolution_min)
                   THEN ivoa.obscore_why('nonneg', t.s_resolution_min, v.s_resolution_min) END),
               ivoa.obscore_problem(did_scope, did_name, 's_resolution_max', v.s_resolution_max,
                   CASE WHEN c.s_resolution_max IS NULL AND NOT ivoa.obscore_absent(v.s_resolution_max)
                   THEN ivoa.obscore_why('nonneg', t.s_resolution_max, v.s_resolution_max) END),
               ivoa.obscore_problem(did_scope, did_name, 's_pixel_scale', v.s_pixel_scale,
                   CASE WHEN c.s_pixel_scale IS NULL AND NOT ivoa.obscore_absent(v.s_pixel_scale)
                   THEN ivoa.obscore_why('nonneg', t.s_pixel_scale, v.s_pixel_scale) END),
               ivoa.obscore_problem(did_scope, did_name, 's_calib_status', v.s_calib_status,
                   CASE WHEN t.s_calib_status IS NULL AND NOT ivoa.obscore_absent(v.s_calib_status)
                   THEN ivoa.obscore_why('text', NULL, v.s_calib_status) END),
               ivoa.obscore_problem(did_scope, did_name, 't_calib_status', v.t_calib_status,
                   CASE WHEN t.t_calib_status IS NULL AND NOT ivoa.obscore_absent(v.t_calib_status)
                   THEN ivoa.obscore_why('text', NULL, v.t_calib_status) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_calib_status', v.em_calib_status,
                   CASE WHEN t.em_calib_status IS NULL AND NOT ivoa.obscore_absent(v.em_calib_status)
                   THEN ivoa.obscore_why('text', NULL, v.em_calib_status) END),
               ivoa.obscore_problem(did_scope, did_name, 'o_calib_status', v.o_calib_status,
                   CASE WHEN t.o_calib_status IS NULL AND NOT ivoa.obscore_absent(v.o_calib_status)
                   THEN ivoa.obscore_why('text', NULL, v.o_calib_status) END),
               ivoa.obscore_problem(did_scope, did_name, 's_stat_error', v.s_stat_error,
                   CASE WHEN c.s_stat_error IS NULL AND NOT ivoa.obscore_absent(v.s_stat_error)
                   THEN ivoa.obscore_why('nonneg', t.s_stat_error, v.s_stat_error) END),
               ivoa.obscore_problem(did_scope, did_name, 't_stat_error', v.t_stat_error,
                   CASE WHEN c.t_stat_error IS NULL AND NOT ivoa.obscore_absent(v.t_stat_error)
                   THEN ivoa.obscore_why('nonneg', t.t_stat_error, v.t_stat_error) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_stat_error', v.em_stat_error,
                   CASE WHEN c.em_stat_error IS NULL AND NOT ivoa.obscore_absent(v.em_stat_error)
                   THEN ivoa.obscore_why('nonneg', t.em_stat_error, v.em_stat_error) END),
               ivoa.obscore_problem(did_scope, did_name, 'o_stat_error', v.o_stat_error,
                   CASE WHEN c.o_stat_error IS NULL AND NOT ivoa.obscore_absent(v.o_stat_error)
                   THEN ivoa.obscore_why('nonneg', t.o_stat_error, v.o_stat_error) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_res_power_min', v.em_res_power_min,
                   CASE WHEN c.em_res_power_min IS NULL AND NOT ivoa.obscore_absent(v.em_res_power_min)
                   THEN ivoa.obscore_why('nonneg', t.em_res_power_min, v.em_res_power_min) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_res_power_max', v.em_res_power_max,
                   CASE WHEN c.em_res_power_max IS NULL AND NOT ivoa.obscore_absent(v.em_res_power_max)
                   THEN ivoa.obscore_why('nonneg', t.em_res_power_max, v.em_res_power_max) END),
               ivoa.obscore_problem(did_scope, did_name, 'em_resolution', v.em_resolution,
                   CASE WHEN c.em_resolution IS NULL AND NOT ivoa.obscore_absent(v.em_resolution)
                   THEN ivoa.obscore_why('nonneg', t.em_resolution, v.em_resolution) END),
               ivoa.obscore_problem(did_scope, did_name, 'proposal_id', v.proposal_id,
                   CASE WHEN t.proposal_id IS NULL AND NOT ivoa.obscore_absent(v.proposal_id)
                   THEN ivoa.obscore_why('text', NULL, v.proposal_id) END)
           ], NULL), '{}')
       END
  FROM (SELECT CASE WHEN jsonb_typeof(did_data) = 'object' THEN did_data
                    ELSE '{}'::pg_catalog.jsonb END AS obj
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

  -- Each value read once: text as its column holds it, numbers as numeric;
  -- NULL when it cannot be.
  CROSS JOIN LATERAL (
    SELECT num_nonnulls(v.dataproduct_type, v.calib_level, v.obs_collection,
                        v.obs_id, v.obs_publisher_did, v.access_url,
                        v.access_format, v.access_estsize, v.target_name,
                        v.s_ra, v.s_dec, v.s_fov, v.s_region, v.s_resolution,
                        v.s_xel1, v.s_xel2, v.t_min, v.t_max, v.t_exptime,
                        v.t_resolution, v.t_xel, v.em_min, v.em_max,
                        v.em_res_power, v.em_xel, v.o_ucd, v.pol_states,
                        v.pol_xel, v.facility_name, v.instrument_name,
                        v.dataproduct_subtype, v.target_class,
                        v.obs_creation_date, v.obs_creator_name,
                        v.obs_creator_did, v.obs_title, v.publisher_id,
                        v.bib_reference, v.data_rights, v.obs_release_date,
                        v.s_ucd, v.em_ucd, v.s_unit, v.em_unit, v.o_unit,
                        v.s_resolution_min, v.s_resolution_max, v.s_pixel_scale,
                        v.s_calib_status, v.t_calib_status, v.em_calib_status,
                        v.o_calib_status, v.s_stat_error, v.t_stat_error,
                        v.em_stat_error, v.o_stat_error, v.em_res_power_min,
                        v.em_res_power_max, v.em_resolution, v.proposal_id) AS given,
        ivoa.obscore_ptype(v.dataproduct_type) AS dataproduct_type,
        ivoa.obscore_json_number(v.calib_level) AS calib_level,
        ivoa.obscore_text(v.obs_collection, 8192) AS obs_collection,
        ivoa.obscore_text(v.obs_id, 1024) AS obs_id,
        ivoa.obscore_text(v.obs_publisher_did, 1024) AS obs_publisher_did,
        ivoa.obscore_text(v.access_url, 8192) AS access_url,
        ivoa.obscore_text(v.access_format, 8192) AS access_format,
        ivoa.obscore_json_number(v.access_estsize) AS access_estsize,
        ivoa.obscore_text(v.target_name, 8192) AS target_name,
        ivoa.obscore_json_number(v.s_ra) AS s_ra,
        ivoa.obscore_json_number(v.s_dec) AS s_dec,
        ivoa.obscore_json_number(v.s_fov) AS s_fov,
        ivoa.obscore_region(v.s_region) AS s_region,
        ivoa.obscore_json_number(v.s_resolution) AS s_resolution,
        ivoa.obscore_json_number(v.s_xel1) AS s_xel1,
        ivoa.obscore_json_number(v.s_xel2) AS s_xel2,
        ivoa.obscore_json_number(v.t_min) AS t_min,
        ivoa.obscore_json_number(v.t_max) AS t_max,
        ivoa.obscore_json_number(v.t_exptime) AS t_exptime,
        ivoa.obscore_json_number(v.t_resolution) AS t_resolution,
        ivoa.obscore_json_number(v.t_xel) AS t_xel,
        ivoa.obscore_json_number(v.em_min) AS em_min,
        ivoa.obscore_json_number(v.em_max) AS em_max,
        ivoa.obscore_json_number(v.em_res_power) AS em_res_power,
        ivoa.obscore_json_number(v.em_xel) AS em_xel,
        ivoa.obscore_text(v.o_ucd, 8192) AS o_ucd,
        ivoa.obscore_text(v.pol_states, 8192) AS pol_states,
        ivoa.obscore_json_number(v.pol_xel) AS pol_xel,
        ivoa.obscore_text(v.facility_name, 8192) AS facility_name,
        ivoa.obscore_text(v.instrument_name, 8192) AS instrument_name,
        ivoa.obscore_text(v.dataproduct_subtype, 8192) AS dataproduct_subtype,
        ivoa.obscore_text(v.target_class, 8192) AS target_class,
        ivoa.obscore_time(v.obs_creation_date) AS obs_creation_date,
        ivoa.obscore_text(v.obs_creator_name, 8192) AS obs_creator_name,
        ivoa.obscore_text(v.obs_creator_did, 8192) AS obs_creator_did,
        ivoa.obscore_text(v.obs_title, 8192) AS obs_title,
        ivoa.obscore_text(v.publisher_id, 8192) AS publisher_id,
        ivoa.obscore_text(v.bib_reference, 8192) AS bib_reference,
        ivoa.obscore_text(v.data_rights, 8192) AS data_rights,
        ivoa.obscore_time(v.obs_release_date) AS obs_release_date,
        ivoa.obscore_text(v.s_ucd, 8192) AS s_ucd,
        ivoa.obscore_text(v.em_ucd, 8192) AS em_ucd,
        ivoa.obscore_text(v.s_unit, 8192) AS s_unit,
        ivoa.obscore_text(v.em_unit, 8192) AS em_unit,
        ivoa.obscore_text(v.o_unit, 8192) AS o_unit,
        ivoa.obscore_json_number(v.s_resolution_min) AS s_resolution_min,
        ivoa.obscore_json_number(v.s_resolution_max) AS s_resolution_max,
        ivoa.obscore_json_number(v.s_pixel_scale) AS s_pixel_scale,
        ivoa.obscore_text(v.s_calib_status, 8192) AS s_calib_status,
        ivoa.obscore_text(v.t_calib_status, 8192) AS t_calib_status,
        ivoa.obscore_text(v.em_calib_status, 8192) AS em_calib_status,
        ivoa.obscore_text(v.o_calib_status, 8192) AS o_calib_status,
        ivoa.obscore_json_number(v.s_stat_error) AS s_stat_error,
        ivoa.obscore_json_number(v.t_stat_error) AS t_stat_error,
        ivoa.obscore_json_number(v.em_stat_error) AS em_stat_error,
        ivoa.obscore_json_number(v.o_stat_error) AS o_stat_error,
        ivoa.obscore_json_number(v.em_res_power_min) AS em_res_power_min,
        ivoa.obscore_json_number(v.em_res_power_max) AS em_res_power_max,
        ivoa.obscore_json_number(v.em_resolution) AS em_resolution,
        ivoa.obscore_text(v.proposal_id, 8192) AS proposal_id
    OFFSET 0
  ) AS t

  -- The numbers within their column's limits, as its type.
  CROSS JOIN LATERAL (
    SELECT
        CASE WHEN t.calib_level IN (0, 1, 2, 3, 4) THEN t.calib_level::integer END AS calib_level,
        ivoa.obscore_int8(t.access_estsize, 0) AS access_estsize,
        CASE WHEN abs(t.s_ra) <= 1e300 THEN ivoa.obscore_wrap360(t.s_ra) END AS s_ra,
        ivoa.obscore_float8(t.s_dec, -90, 90) AS s_dec,
        ivoa.obscore_float8(t.s_fov, 0, 1e300) AS s_fov,
        (t.s_region).poly AS s_region,
        ivoa.obscore_float8(t.s_resolution, 0, 1e300) AS s_resolution,
        ivoa.obscore_int8(t.s_xel1, -1) AS s_xel1,
        ivoa.obscore_int8(t.s_xel2, -1) AS s_xel2,
        ivoa.obscore_float8(t.t_min, -1e300, 1e300) AS t_min,
        ivoa.obscore_float8(t.t_max, -1e300, 1e300) AS t_max,
        ivoa.obscore_float8(t.t_exptime, 0, 1e300) AS t_exptime,
        ivoa.obscore_float8(t.t_resolution, 0, 1e300) AS t_resolution,
        ivoa.obscore_int8(t.t_xel, -1) AS t_xel,
        ivoa.obscore_float8(t.em_min, 1e-300, 1e300) AS em_min,
        ivoa.obscore_float8(t.em_max, 1e-300, 1e300) AS em_max,
        ivoa.obscore_float8(t.em_res_power, 0, 1e300) AS em_res_power,
        ivoa.obscore_int8(t.em_xel, -1) AS em_xel,
        ivoa.obscore_int8(t.pol_xel, -1) AS pol_xel,
        t.obs_creation_date::timestamp AS obs_creation_date,
        t.obs_release_date::timestamp AS obs_release_date,
        ivoa.obscore_float8(t.s_resolution_min, 0, 1e300) AS s_resolution_min,
        ivoa.obscore_float8(t.s_resolution_max, 0, 1e300) AS s_resolution_max,
        ivoa.obscore_float8(t.s_pixel_scale, 0, 1e300) AS s_pixel_scale,
        ivoa.obscore_float8(t.s_stat_error, 0, 1e300) AS s_stat_error,
        ivoa.obscore_float8(t.t_stat_error, 0, 1e300) AS t_stat_error,
        ivoa.obscore_float8(t.em_stat_error, 0, 1e300) AS em_stat_error,
        ivoa.obscore_float8(t.o_stat_error, 0, 1e300) AS o_stat_error,
        ivoa.obscore_float8(t.em_res_power_min, 0, 1e300) AS em_res_power_min,
        ivoa.obscore_float8(t.em_res_power_max, 0, 1e300) AS em_res_power_max,
        ivoa.obscore_float8(t.em_resolution, 0, 1e300) AS em_resolution
    OFFSET 0
  ) AS c
$fn$;

COMMENT ON FUNCTION ivoa.obscore_convert(text, text, jsonb, boolean) IS
    'The ObsCore row described by one DID''s JSON metadata, and what is wrong with it.';


-- ---------------------------------------------------------------------------
-- Bring the ObsCore rows and the problems of the given DIDs in line with
-- their metadata as rucio.dids holds it now, set-based: what the triggers
-- do after each statement, and ivoa.obscore_rebuild() for each batch.
--
-- DIDs (did_scopes[i], did_names[i]) are converted (DIDs not in rucio.dids
-- are passed over); gone DIDs (gone_scopes[i], gone_names[i]) lose their
-- rows and problems.  A DID's rows and problems are replaced, so a DID
-- that is fixed loses its problems and one that no longer describes an
-- observation loses its row; ObsCore rows that come out the same are left
-- alone.  With notify, each DID with problems is reported in a NOTICE.
-- Returns how many of the DIDs have an ObsCore row and how many rows were
-- written (inserted or changed).
--
-- The work in two statements: one pass over all the DIDs, which also clears
-- their old problems and finds the few that may have new ones; then, if
-- there are any, a second over those few to record them.  Arrays of keys
-- are all that is passed: a statement's transition tables cannot be seen
-- from here, and the metadata is read again from rucio.dids by its unique
-- index.  Every table is read by its index on the DID (enable_seqscan off),
-- so that the plans, made once per session (the conversion costs far more
-- to plan than to run for one DID), hold for one DID as for a million.
--
-- Not SECURITY DEFINER: it runs with the rights of its caller, the trigger
-- (that is, the trigger's owner) or the owner running a rebuild.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_write(did_scopes text[], did_names text[],
                                              gone_scopes text[], gone_names text[],
                                              notify boolean,
                                              OUT n_rows bigint, OUT n_written bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pgsphere, pg_temp
SET standard_conforming_strings = on
-- The inlined conversion makes a large plan with pessimistic row estimates:
-- JIT-compiling it would cost far more than running it (for a single DID
-- above all), and memoizing its per-DID subqueries only costs hashing.
-- The triggers call it with enable_nestloop off, which its plans need on.
SET jit = off
SET enable_memoize = off
SET enable_nestloop = on
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    sus_scopes pg_catalog.text[];   -- the DIDs that may have problems
    sus_names  pg_catalog.text[];
    msgs       pg_catalog.text[];
    msg        pg_catalog.text;
BEGIN
    IF gone_scopes IS NOT NULL THEN
        DELETE FROM ivoa.obscore AS o
         USING unnest(gone_scopes, gone_names) AS g (scope, name)
         WHERE o.rucio_did_scope = g.scope AND o.rucio_did_name = g.name;
        DELETE FROM ivoa.obscore_problems AS p
         USING unnest(gone_scopes, gone_names) AS g (scope, name)
         WHERE p.scope = g.scope AND p.name = g.name;
    END IF;
    IF did_scopes IS NULL THEN
        n_rows := 0;
        n_written := 0;
        RETURN;
    END IF;

    WITH conv AS MATERIALIZED (
        SELECT k.scope, k.name, f.obs, f.suspect
          FROM unnest(did_scopes, did_names) AS k (scope, name)
          JOIN rucio.dids AS d ON d.scope = k.scope AND d.name = k.name
         CROSS JOIN LATERAL ivoa.obscore_convert(k.scope, k.name, d.data, false) AS f
    ), dropped AS (
        DELETE FROM ivoa.obscore AS o
         USING conv AS c
         WHERE o.rucio_did_scope = c.scope AND o.rucio_did_name = c.name
           AND (c.obs).rucio_did_name IS NULL
    ), cleared AS (
        DELETE FROM ivoa.obscore_problems AS p
         USING conv AS c
         WHERE p.scope = c.scope AND p.name = c.name
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
        RETURNING 1
    )
    SELECT count(*) FILTER (WHERE (c.obs).rucio_did_name IS NOT NULL),
           (SELECT count(*) FROM written),
           array_agg(c.scope) FILTER (WHERE c.suspect),
           array_agg(c.name) FILTER (WHERE c.suspect)
      INTO n_rows, n_written, sus_scopes, sus_names
      FROM conv AS c;

    IF sus_scopes IS NOT NULL THEN
        WITH again AS MATERIALIZED (
            SELECT s.scope, s.name, f.obs, f.problems
              FROM unnest(sus_scopes, sus_names) AS s (scope, name)
              JOIN rucio.dids AS d ON d.scope = s.scope AND d.name = s.name
             CROSS JOIN LATERAL ivoa.obscore_convert(s.scope, s.name, d.data, true) AS f
             WHERE f.problems IS NOT NULL
        ), kept AS (
            INSERT INTO ivoa.obscore_problems AS p
            SELECT pr.* FROM again AS a CROSS JOIN LATERAL unnest(a.problems) AS pr
            ON CONFLICT (scope, name, field) DO UPDATE
               SET excerpt = EXCLUDED.excerpt, reason = EXCLUDED.reason,
                   seen = EXCLUDED.seen
        )
        SELECT array_agg(ivoa.obscore_notice(a.scope, a.name,
                                             (a.obs).rucio_did_name IS NOT NULL, a.problems))
          INTO msgs
          FROM again AS a
         WHERE notify;
        IF msgs IS NOT NULL THEN
            FOREACH msg IN ARRAY msgs LOOP
                RAISE NOTICE '%', msg;
            END LOOP;
        END IF;
    END IF;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_write(text[], text[], text[], text[], boolean) IS
    'Rewrite (or remove) the ObsCore rows and problems of the given DIDs from rucio.dids, set-based.';
-- Only for the triggers (which run as the owner) and the owner.
REVOKE ALL ON FUNCTION ivoa.obscore_write(text[], text[], text[], text[], boolean) FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Bring the ObsCore row and the problems of one DID in line with its
-- metadata, on its own.
--
-- The slow but unbreakable path: used when the set-based write of a whole
-- statement (or batch) fails, so that only the offending DID stays out.
-- Never raises (but when cancelled).  A DID that cannot be synchronised at
-- all keeps whatever ObsCore row it had, and a problem with field *.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_sync_did(did_scope text, did_name text, notify boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pgsphere, pg_temp
SET standard_conforming_strings = on
AS $fn$
DECLARE
    err   pg_catalog.text;
    state pg_catalog.text;
BEGIN
    PERFORM ivoa.obscore_write(ARRAY[did_scope], ARRAY[did_name], NULL, NULL, notify);
EXCEPTION WHEN OTHERS THEN
    err := SQLERRM;
    state := SQLSTATE;
    RAISE NOTICE 'ivoa.obscore: DID %:% not synchronised: % (SQLSTATE %)',
        did_scope, did_name, err, state;
    BEGIN
        INSERT INTO ivoa.obscore_problems AS p
        VALUES (did_scope, did_name, '*', NULL,
                format('not synchronised: %s (SQLSTATE %s)', err, state), now())
        ON CONFLICT (scope, name, field) DO UPDATE
           SET reason = EXCLUDED.reason, seen = EXCLUDED.seen;
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_sync_did(text, text, boolean) IS
    'Rewrite (or remove) the ObsCore row and problems of one DID from rucio.dids; never raises.';
-- Only for the trigger (which runs as the owner) and the owner.
REVOKE ALL ON FUNCTION ivoa.obscore_sync_did(text, text, boolean) FROM PUBLIC;


-- ---------------------------------------------------------------------------
-- Statement trigger on rucio.dids.
--
-- It only finds out which DIDs the statement touched, from its transition
-- tables, and leaves the work to ivoa.obscore_write().  After an UPDATE
-- only DIDs whose ObsCore keys changed need work (Rucio's delete_metadata
-- updates every row of rucio.dids, and its set_metadata often rewrites
-- what is already there, or a key of its own), and DIDs that could not be
-- synchronised before (field * in ivoa.obscore_problems) are tried again.
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
-- Plans are made once per session (plan_cache_mode), with the row counts of
-- the statement at hand, and must hold for any other: the old and new rows
-- of an UPDATE are matched by hashing or sorting (enable_nestloop off), or
-- a plan made for one row would compare every row with every other in a
-- large statement, and ivoa.obscore_problems is read by its index
-- (enable_seqscan off) however small it was when the plan was made.  The
-- cost of a path so disabled would make every plan worth compiling (jit).
SET jit = off
SET enable_nestloop = off
SET enable_seqscan = off
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
    scopes      pg_catalog.text[];   -- UPDATE: the DIDs to convert
    names       pg_catalog.text[];
    gone_scopes pg_catalog.text[];   -- UPDATE: the DIDs renamed away
    gone_names  pg_catalog.text[];
    one         record;
    i           pg_catalog.int4;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM ivoa.obscore;
        DELETE FROM ivoa.obscore_problems;
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM ivoa.obscore_write(k.scopes, k.names, NULL, NULL, true)
           FROM (SELECT array_agg(n.scope) AS scopes, array_agg(n.name) AS names
                   FROM new_rows AS n) AS k;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM ivoa.obscore_write(NULL, NULL, k.scopes, k.names, false)
           FROM (SELECT array_agg(d.scope) AS scopes, array_agg(d.name) AS names
                   FROM old_rows AS d) AS k;
        RETURN NULL;
    END IF;

    -- UPDATE.  A DID renamed by the statement leaves its old key behind.
    SELECT array_agg(d.scope), array_agg(d.name)
      INTO gone_scopes, gone_names
      FROM old_rows AS d
     WHERE NOT EXISTS (SELECT FROM new_rows AS n
                        WHERE n.scope = d.scope AND n.name = d.name);
    -- The DIDs whose metadata changed in an ObsCore key (see
    -- ivoa.obscore_other_keys()), the renamed ones, and those whose metadata
    -- changed at all and that could not be synchronised before.
    SELECT array_agg(n.scope), array_agg(n.name)
      INTO scopes, names
      FROM new_rows AS n
      LEFT JOIN old_rows AS o ON o.scope = n.scope AND o.name = n.name
      LEFT JOIN LATERAL (
           SELECT true AS differs,
                  ivoa.obscore_other_keys(o.data) AS old_other,
                  ivoa.obscore_other_keys(n.data) AS new_other
            WHERE o.data IS DISTINCT FROM n.data
           OFFSET 0) AS u ON true
     WHERE o.scope IS NULL
        OR u.differs
           AND (u.old_other IS NULL OR u.new_other IS NULL OR u.old_other = u.new_other
                OR NOT (o.data || u.new_other = n.data OR n.data || u.old_other = o.data
                        OR o.data || (u.old_other || u.new_other)
                           = n.data || (u.old_other || u.new_other))
                OR EXISTS (SELECT FROM ivoa.obscore_problems AS p
                            WHERE p.scope = n.scope AND p.name = n.name AND p.field = '*'));
    IF scopes IS NOT NULL OR gone_scopes IS NOT NULL THEN
        PERFORM ivoa.obscore_write(scopes, names, gone_scopes, gone_names, true);
    END IF;
    RETURN NULL;

EXCEPTION WHEN OTHERS THEN
    -- All of the above is undone.  The DIDs are retried one at a time, so
    -- that one bad DID cannot hold back the others; the one exception block
    -- keeps the usual path at one subtransaction.
    IF TG_OP = 'DELETE' THEN
        -- Last line of defence: Rucio's statement must succeed regardless.
        RAISE NOTICE 'ivoa.obscore: % on rucio.dids not synchronised: % (SQLSTATE %)',
            TG_OP, SQLERRM, SQLSTATE;
        RETURN NULL;
    END IF;
    RAISE NOTICE 'ivoa.obscore: % on rucio.dids: set-based update failed (%), '
                 'retrying DID by DID', TG_OP, SQLERRM;
    BEGIN
        IF gone_scopes IS NOT NULL THEN
            PERFORM ivoa.obscore_write(NULL, NULL, gone_scopes, gone_names, true);
        END IF;
        IF scopes IS NOT NULL THEN
            FOR i IN 1 .. cardinality(scopes) LOOP
                PERFORM ivoa.obscore_sync_did(scopes[i], names[i], true);
            END LOOP;
        ELSE
            -- An INSERT, or an UPDATE whose DIDs were not found out yet:
            -- all of them.
            FOR one IN SELECT n.scope, n.name FROM new_rows AS n LOOP
                PERFORM ivoa.obscore_sync_did(one.scope, one.name, true);
            END LOOP;
        END IF;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'ivoa.obscore: % on rucio.dids not synchronised: % (SQLSTATE %)',
            TG_OP, SQLERRM, SQLSTATE;
    END;
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


-- ---------------------------------------------------------------------------
-- Rebuild ivoa.obscore and ivoa.obscore_problems from rucio.dids as it
-- stands: after installing this over an existing rucio.dids, after the
-- triggers were disabled, or to repair DIDs reported "not synchronised".
--
--     SELECT * FROM ivoa.obscore_rebuild();
--
-- Rows and problems of DIDs that no longer exist are removed, then the DIDs
-- are converted set-based, batch_size at a time in key order, by what the
-- triggers use (ivoa.obscore_write()).  ObsCore rows that are already right
-- are left alone.  Returns how many DIDs were read, how many ObsCore rows
-- were written (inserted or changed), how many were already right, and how
-- many problems were found; the same numbers go out as a NOTICE.
--
-- It takes a SHARE lock on rucio.dids, so that no write can slip between
-- reading a DID and writing its row: Rucio's writes wait until it is done.
-- It runs with the rights of its caller, who must be able to write the two
-- tables (their owner).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION ivoa.obscore_rebuild(batch_size integer DEFAULT 10000,
                                                OUT dids_read bigint,
                                                OUT rows_written bigint,
                                                OUT rows_unchanged bigint,
                                                OUT problems bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pgsphere, pg_temp
SET standard_conforming_strings = on
AS $fn$
DECLARE
    scopes     pg_catalog.text[];   -- the batch
    names      pg_catalog.text[];
    last_scope pg_catalog.text;     -- the last DID of the batch before
    last_name  pg_catalog.text;
    n_read     pg_catalog.int4;
    n_rows    pg_catalog.int8;
    n_written pg_catalog.int8;
    i         pg_catalog.int4;
BEGIN
    IF batch_size IS NULL OR batch_size < 1 THEN
        RAISE EXCEPTION 'ivoa.obscore_rebuild: batch_size must be at least 1';
    END IF;
    dids_read := 0;
    rows_written := 0;
    rows_unchanged := 0;

    LOCK TABLE rucio.dids IN SHARE MODE;

    DELETE FROM ivoa.obscore AS o
     WHERE NOT EXISTS (SELECT FROM rucio.dids AS d
                        WHERE d.scope = o.rucio_did_scope AND d.name = o.rucio_did_name);
    DELETE FROM ivoa.obscore_problems AS p
     WHERE NOT EXISTS (SELECT FROM rucio.dids AS d
                        WHERE d.scope = p.scope AND d.name = p.name);

    LOOP
        -- The next batch in key order, from the unique index on (scope, name).
        SELECT array_agg(b.scope ORDER BY b.scope, b.name), array_agg(b.name ORDER BY b.scope, b.name)
          INTO scopes, names
          FROM (SELECT d.scope, d.name
                  FROM rucio.dids AS d
                 WHERE last_scope IS NULL OR (d.scope, d.name) > (last_scope, last_name)
                 ORDER BY d.scope, d.name
                 LIMIT batch_size) AS b;
        n_read := cardinality(scopes);
        EXIT WHEN n_read IS NULL;
        last_scope := scopes[n_read];
        last_name := names[n_read];
        BEGIN
            SELECT w.n_rows, w.n_written INTO n_rows, n_written
              FROM ivoa.obscore_write(scopes, names, NULL, NULL, false) AS w;
            rows_written := rows_written + n_written;
            rows_unchanged := rows_unchanged + n_rows - n_written;
        EXCEPTION WHEN OTHERS THEN
            -- As the trigger does: one DID at a time, so that one that
            -- cannot be written holds back no other.
            RAISE NOTICE 'ivoa.obscore_rebuild: set-based batch failed (%), retrying DID by DID',
                SQLERRM;
            FOR i IN 1 .. n_read LOOP
                PERFORM ivoa.obscore_sync_did(scopes[i], names[i], false);
            END LOOP;
        END;
        dids_read := dids_read + n_read;
    END LOOP;

    -- Counted at the end: the DID-by-DID path does not report its own.
    SELECT count(*) INTO problems FROM ivoa.obscore_problems;
    RAISE NOTICE 'ivoa.obscore_rebuild: % DIDs read, % ObsCore rows written, % already right, '
                 '% problems (see ivoa.obscore_problems)',
        dids_read, rows_written, rows_unchanged, problems;
END
$fn$;

COMMENT ON FUNCTION ivoa.obscore_rebuild(integer) IS
    'Rebuild ivoa.obscore and ivoa.obscore_problems from rucio.dids, batch_size DIDs at a time.';
REVOKE ALL ON FUNCTION ivoa.obscore_rebuild(integer) FROM PUBLIC;

COMMIT;
