-- Demo data for rucio-ivoa-fcgi.
--
-- usage:
--   psql [connection options] -v links_url=http://127.0.0.1:8080/links \
--        -v sky_rows=100000 -f demo/load.sql
--
--   links_url  base URL of the DataLink service; every access_url is
--              <links_url>?id=<scope>:<name>
--   sky_rows   number of synthetic DIDs (0 .. 999999999)
--
-- Everything goes into rucio.dids, as Rucio would write it; the triggers of
-- sql/30_sync.sql derive the ivoa.obscore rows.  The schema (sql/*.sql) must
-- be loaded first.
--
-- Contents:
--   * the three DIDs of the prototype, so that the requests its users already
--     make (a cone at 53.75308, -24.93365 with SR=1 returns both Eridanus
--     cubes at _r = 0) keep working;
--   * scope "synthetic": sky_rows DIDs sky_000000001.fits ... spread uniformly
--     over the sky.  Every value derives from the row number through md5, so
--     the same sky_rows gives the same rows on every run and machine.
--
-- Running the script again is harmless: DIDs whose metadata is already as
-- below are left alone, changed ones (another links_url, say) are updated,
-- and synthetic DIDs beyond sky_rows are removed, so that scope "synthetic"
-- holds exactly sky_rows DIDs afterwards.

\set ON_ERROR_STOP on

-- Fail early, with a message, instead of on a half-substituted statement.
\if :{?links_url}
\else
    DO $$ BEGIN RAISE EXCEPTION 'demo/load.sql: missing -v links_url=<base URL of the DataLink service>'; END $$;
\endif
\if :{?sky_rows}
\else
    DO $$ BEGIN RAISE EXCEPTION 'demo/load.sql: missing -v sky_rows=<number of synthetic DIDs>'; END $$;
\endif
SELECT :'sky_rows' ~ '^[0-9]{1,9}$' AS sky_rows_ok \gset
\if :sky_rows_ok
\else
    DO $$ BEGIN RAISE EXCEPTION 'demo/load.sql: sky_rows must be an integer from 0 to 999999999'; END $$;
\endif

BEGIN;

-- The demo DIDs are staged here first, so that the final statement can
-- insert new DIDs, update those whose metadata differs and skip identical
-- ones without touching them (an ON CONFLICT ... WHERE alone would still
-- lock, and so rewrite, every existing row).
CREATE TEMPORARY TABLE demo_dids (
    scope text  NOT NULL,
    name  text  NOT NULL,
    data  jsonb NOT NULL,
    PRIMARY KEY (scope, name)
) ON COMMIT DROP;


-- The prototype's DIDs ------------------------------------------------------

-- PTF10tce exactly as the prototype's test metadata has it, including the
-- coordinates as JSON strings.
INSERT INTO demo_dids VALUES
('testing', 'PTF10tce.fits', jsonb_build_object(
    'calib_level',       1,
    'obs_collection',    'collection_testing',
    'obs_id',            'testing:PTF10tce.fits',
    'obs_publisher_did', 'testing',
    's_ra',              '349.7905833',
    's_dec',             '9.1960000',
    'access_format',     'application/x-votable+xml;content=datalink',
    'access_url',        :'links_url' || '?id=testing:PTF10tce.fits'));

-- The same WALLABY cutout at two sites.  The regions are a 0.2 deg square
-- around the position, once as a DALI polygon and once as STC-S, the two
-- forms Rucio metadata may use.
INSERT INTO demo_dids VALUES
('sp3531_soda', '2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits',
 jsonb_build_object(
    'dataproduct_type',  'cube',
    'calib_level',       2,
    'obs_collection',    'WALLABY',
    'obs_id',            'Eridanus_full_image',
    'obs_publisher_did', 'ivo://example.org/rucio?sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits',
    'target_name',       'Eridanus',
    'facility_name',     'ASKAP',
    's_ra',              53.75308,
    's_dec',             -24.93365,
    's_region',          '[53.86308, -24.83365, 53.86308, -25.03365, 53.64308, -25.03365, 53.64308, -24.83365]'::jsonb,
    'access_format',     'application/x-votable+xml;content=datalink',
    'access_estsize',    29691,
    'access_url',        :'links_url' || '?id=sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits')),
('orange', '2023-07-10-17-21-37_cutout-574594-imagecube-42178.fits',
 jsonb_build_object(
    'dataproduct_type',  'cube',
    'calib_level',       2,
    'obs_collection',    'WALLABY',
    'obs_id',            'Eridanus_full_image',
    'obs_publisher_did', 'ivo://example.org/rucio?orange:2023-07-10-17-21-37_cutout-574594-imagecube-42178.fits',
    'target_name',       'Eridanus',
    'facility_name',     'ASKAP',
    's_ra',              53.75308,
    's_dec',             -24.93365,
    's_region',          'Polygon ICRS 53.86308 -24.83365 53.86308 -25.03365 53.64308 -25.03365 53.64308 -24.83365',
    'access_format',     'application/x-votable+xml;content=datalink',
    'access_url',        :'links_url' || '?id=orange:2023-07-10-17-21-37_cutout-574594-imagecube-42178.fits'));


-- The synthetic sky -----------------------------------------------------------
--
-- Each row's numbers come from two md5 digests of its row number, read as
-- uniform fractions in [0, 1).  Positions are uniform on the sphere: RA
-- uniform, sin(Dec) uniform.  Values are rounded as numeric so that the JSON
-- text does not depend on extra_float_digits or on the last bits of libm's
-- trigonometry.
INSERT INTO demo_dids
SELECT 'synthetic', d.name, jsonb_build_object(
    'dataproduct_type',  CASE WHEN d.is_cube THEN 'cube' ELSE 'image' END,
    'calib_level',       d.calib_level,
    'obs_collection',    'synthetic_sky',
    'obs_id',            d.obs_id,
    'obs_publisher_did', 'ivo://example.org/rucio?synthetic:' || d.name,
    'obs_creation_date', to_char(timestamp '1858-11-17' + make_interval(days => ceil(d.t_max)::integer),
                                 'YYYY-MM-DD"T"HH24:MI:SS'),
    'facility_name',     f.facility,
    'instrument_name',   f.instrument,
    's_ra',              d.ra,
    's_dec',             d.dec,
    's_fov',             d.fov,
    's_region',          g.region,
    's_resolution',      round((f.beam * (0.8 + 0.4 * d.u[6]))::numeric, 2),
    's_xel1',            d.npix,
    's_xel2',            d.npix,
    's_pixel_scale',     round(d.fov * 3600 / d.npix, 4),
    't_min',             d.t_min,
    't_max',             d.t_max,
    't_exptime',         d.exptime,
    't_xel',             1,
    'em_min',            round((f.band_lo + (f.band_hi - f.band_lo) * 0.8 * d.u[7])::numeric, 9),
    'em_max',            round((f.band_lo + (f.band_hi - f.band_lo) * (0.8 * d.u[7] + 0.2))::numeric, 9),
    'em_xel',            d.nchan,
    'o_ucd',             'phot.flux.density',
    'pol_states',        '/I/',
    'pol_xel',           1,
    'access_format',     'application/x-votable+xml;content=datalink',
    'access_estsize',    (d.npix::bigint * d.npix * d.nchan * 4 + 2880) / 1024,
    'access_url',        :'links_url' || '?id=synthetic:' || d.name)
FROM generate_series(1, :sky_rows) AS i
CROSS JOIN LATERAL (
    SELECT md5('synthetic-sky/' || i) AS h1, md5('synthetic-sky/' || i || '/more') AS h2
) AS h
-- OFFSET 0 evaluates each subquery once per row: flattened, every reference
-- to its columns would repeat its expressions (md5 and all).
CROSS JOIN LATERAL (
    -- Seven fractions of 52 bits (13 hex digits) or 24 bits (6 hex digits),
    -- exact as doubles.
    SELECT ARRAY[
        ('x' || substr(h.h1,  1, 13))::bit(52)::bigint / 4503599627370496.0::double precision,
        ('x' || substr(h.h1, 14, 13))::bit(52)::bigint / 4503599627370496.0::double precision,
        ('x' || substr(h.h1, 27,  6))::bit(24)::bigint / 16777216.0::double precision,
        ('x' || substr(h.h2,  1,  6))::bit(24)::bigint / 16777216.0::double precision,
        ('x' || substr(h.h2,  7,  6))::bit(24)::bigint / 16777216.0::double precision,
        ('x' || substr(h.h2, 13,  6))::bit(24)::bigint / 16777216.0::double precision,
        ('x' || substr(h.h2, 19,  6))::bit(24)::bigint / 16777216.0::double precision
    ] AS u
    OFFSET 0
) AS r
CROSS JOIN LATERAL (
    SELECT r.u,
           'sky_' || lpad(i::text, 9, '0') || '.fits'                AS name,
           'sky_' || lpad(i::text, 9, '0')                           AS obs_id,
           mod(round((360 * r.u[1])::numeric, 7), 360)               AS ra,
           round(degrees(asin(2 * r.u[2] - 1))::numeric, 7)          AS dec,
           floor(r.u[3] * 5)::integer                                AS facility_no,
           floor(r.u[3] * 20)::integer % 4                           AS calib_level,
           r.u[4] < 0.3                                              AS is_cube,
           round((0.1 + 1.9 * r.u[5])::numeric, 3)                   AS fov,
           512 << floor(r.u[6] * 4)::integer                         AS npix,
           CASE WHEN r.u[4] < 0.3 THEN 64 << floor(r.u[7] * 5)::integer ELSE 1 END AS nchan,
           round((58000 + 2500 * r.u[5])::numeric, 8)                AS t_min,
           round((58000 + 2500 * r.u[5])::numeric, 8)
               + round(((600 + round(42600 * r.u[7])) / 86400)::numeric, 8) AS t_max,
           (600 + round(42600 * r.u[7]))::integer                    AS exptime
    OFFSET 0
) AS d
-- Facilities, with a band (vacuum wavelength, m) and a typical beam (arcsec),
-- of plausible radio telescopes.
CROSS JOIN LATERAL (
    SELECT v.facility, v.instrument,
           v.band_lo::double precision AS band_lo,
           v.band_hi::double precision AS band_hi,
           v.beam::double precision AS beam
      FROM (VALUES
            (0, 'ASKAP',   'ASKAP',           0.1666, 0.4283, 12.0),
            (1, 'MeerKAT', 'L-band receiver', 0.1751, 0.3502,  8.0),
            (2, 'LOFAR',   'HBA',             1.2491, 2.7254,  6.0),
            (3, 'SKA-Low', 'SKA-Low',         0.8565, 5.9958, 10.0),
            (4, 'SKA-Mid', 'Band 2',          0.1703, 0.3156,  1.5)
           ) AS v (no, facility, instrument, band_lo, band_hi, beam)
     WHERE v.no = d.facility_no
) AS f
-- The footprint: a square of diagonal s_fov centred on the position, its
-- corners at bearings 45, 135, 225 and 315 deg (NE, SE, SW, NW: counter-
-- clockwise on the sky, as DALI asks), placed with spherical trigonometry so
-- that it stays right near the poles.  One row in ten uses STC-S.
CROSS JOIN LATERAL (
    SELECT CASE WHEN i % 10 = 0
                THEN to_jsonb('Polygon ICRS ' || string_agg(c.lon || ' ' || c.lat, ' ' ORDER BY c.k))
                ELSE ('[' || string_agg(c.lon || ', ' || c.lat, ', ' ORDER BY c.k) || ']')::jsonb
           END AS region
    FROM (
        SELECT b.k,
               mod(round(degrees(radians(d.ra::double precision)
                     + atan2(sin(b.theta) * sin(b.rho) * cos(b.phi),
                             cos(b.rho) - sin(b.phi) * sin(b.lat2)))::numeric, 7) + 360, 360) AS lon,
               round(degrees(b.lat2)::numeric, 7) AS lat
        FROM (
            SELECT q.k, q.theta, q.rho, q.phi,
                   asin(sin(q.phi) * cos(q.rho) + cos(q.phi) * sin(q.rho) * cos(q.theta)) AS lat2
            FROM (
                SELECT k, radians(45.0 + 90 * k) AS theta,
                       radians(d.fov::double precision / 2) AS rho,
                       radians(d.dec::double precision) AS phi
                FROM generate_series(0, 3) AS k
            ) AS q
            OFFSET 0
        ) AS b
        OFFSET 0
    ) AS c
) AS g;

-- Synthetic DIDs beyond sky_rows (from an earlier, larger run).
DELETE FROM rucio.dids
 WHERE scope = 'synthetic'
   AND name ~ '^sky_[0-9]{9}\.fits$'
   AND substr(name, 5, 9)::bigint > :sky_rows;

INSERT INTO rucio.dids (vo, scope, name, data)
SELECT 'def', n.scope, n.name, n.data
  FROM demo_dids AS n
 WHERE NOT EXISTS (SELECT 1 FROM rucio.dids AS o
                    WHERE o.scope = n.scope AND o.name = n.name AND o.data = n.data)
ON CONFLICT (scope, name) DO UPDATE SET data = EXCLUDED.data;

COMMIT;
