-- The ObsCore 1.1 table read by the cone search and DataLink services.
--
-- Rows are not written here directly: the triggers of 30_sync.sql derive one
-- row per Rucio DID (rucio.dids) whose JSON metadata describes an observation.
--
-- Column order: the ObsCore 1.1 mandatory columns in the order of the
-- standard's Table 4, then the optional ones, then the two Rucio columns that
-- tie a row to its DID.  "Mandatory" in ObsCore means the column exists; only
-- the four identification columns are NOT NULL.  ADQL types map to PostgreSQL
-- as VARCHAR/CLOB -> text, INTEGER -> integer, BIGINT -> bigint,
-- DOUBLE -> double precision, TIMESTAMP -> timestamp (UTC), REGION -> spoly.
--
-- pgSphere names (spoly, spoint) carry their schema, pgsphere
-- (00_extensions.sql), so that they do not depend on the search_path.

CREATE SCHEMA IF NOT EXISTS ivoa;

CREATE TABLE IF NOT EXISTS ivoa.obscore (
    -- ObsCore 1.1 mandatory columns
    dataproduct_type    text,
    calib_level         integer NOT NULL,
    obs_collection      text    NOT NULL,
    obs_id              text    NOT NULL,
    obs_publisher_did   text    NOT NULL,
    access_url          text,
    access_format       text,
    access_estsize      bigint,
    target_name         text,
    s_ra                double precision,
    s_dec               double precision,
    s_fov               double precision,
    s_region            pgsphere.spoly,
    s_resolution        double precision,
    s_xel1              bigint,
    s_xel2              bigint,
    t_min               double precision,
    t_max               double precision,
    t_exptime           double precision,
    t_resolution        double precision,
    t_xel               bigint,
    em_min              double precision,
    em_max              double precision,
    em_res_power        double precision,
    em_xel              bigint,
    o_ucd               text,
    pol_states          text,
    -- ObsCore: 0 when polarization is not mentioned.
    pol_xel             bigint DEFAULT 0,
    facility_name       text,
    instrument_name     text,
    -- ObsCore 1.1 optional columns
    dataproduct_subtype text,
    target_class        text,
    obs_creation_date   timestamp,
    obs_creator_name    text,
    obs_creator_did     text,
    obs_title           text,
    publisher_id        text,
    bib_reference       text,
    data_rights         text,
    obs_release_date    timestamp,
    s_ucd               text,
    em_ucd              text,
    s_unit              text,
    em_unit             text,
    o_unit              text,
    s_resolution_min    double precision,
    s_resolution_max    double precision,
    s_pixel_scale       double precision,
    s_calib_status      text,
    t_calib_status      text,
    em_calib_status     text,
    o_calib_status      text,
    s_stat_error        double precision,
    t_stat_error        double precision,
    em_stat_error       double precision,
    o_stat_error        double precision,
    em_res_power_min    double precision,
    em_res_power_max    double precision,
    em_resolution       double precision,
    proposal_id         text,
    -- The Rucio DID the row describes; the synchronisation triggers key on it.
    rucio_did_scope     text    NOT NULL,
    rucio_did_name      text    NOT NULL,

    CONSTRAINT obscore_rucio_did_key UNIQUE (rucio_did_scope, rucio_did_name),

    -- Value rules of ObsCore 1.1.  They back up the checks of the
    -- synchronisation triggers, so that a row written by other means cannot
    -- break the services either (a NaN position fails the range checks).
    CONSTRAINT obscore_calib_level_check
        CHECK (calib_level BETWEEN 0 AND 4),
    CONSTRAINT obscore_dataproduct_type_check
        CHECK (dataproduct_type IN ('image', 'cube', 'spectrum', 'sed',
                                    'timeseries', 'visibility', 'event',
                                    'measurements')),
    -- RA is stored normalised so that clients and the services never have to
    -- wrap it themselves.
    CONSTRAINT obscore_s_ra_check
        CHECK (s_ra >= 0 AND s_ra < 360),
    CONSTRAINT obscore_s_dec_check
        CHECK (s_dec BETWEEN -90 AND 90),
    -- A position is a pair: half of one would silently drop out of every
    -- cone search.
    CONSTRAINT obscore_position_check
        CHECK ((s_ra IS NULL) = (s_dec IS NULL))
);

COMMENT ON TABLE ivoa.obscore IS
    'ObsCore 1.1 (ivo://ivoa.net/std/ObsCore#core-1.1) view of the Rucio data lake: '
    'one row per DID of rucio.dids whose metadata describes an observation.';

-- Cone search: the services filter with
--   spoint(radians(s_ra), radians(s_dec)) <@ scircle(spoint(...), radians(sr))
-- and order by <-> on the same expression; the index must use that expression
-- verbatim for the planner to match it.
CREATE INDEX IF NOT EXISTS obscore_position_idx
    ON ivoa.obscore USING gist (pgsphere.spoint(radians(s_ra), radians(s_dec)));

-- Region overlap/containment queries (ADQL INTERSECTS/CONTAINS on s_region).
CREATE INDEX IF NOT EXISTS obscore_s_region_idx
    ON ivoa.obscore USING gist (s_region);

-- DataLink and SODA resolve datasets by identifier.
CREATE INDEX IF NOT EXISTS obscore_obs_publisher_did_idx
    ON ivoa.obscore (obs_publisher_did);
CREATE INDEX IF NOT EXISTS obscore_obs_id_idx
    ON ivoa.obscore (obs_id);

-- Column descriptions and units as given by ObsCore 1.1 (Table 4, App. B/C).
COMMENT ON COLUMN ivoa.obscore.dataproduct_type IS
    'Data product (file content) primary type: image, cube, spectrum, sed, timeseries, visibility, event or measurements.';
COMMENT ON COLUMN ivoa.obscore.calib_level IS
    'Calibration level {0, 1, 2, 3, 4}.';
COMMENT ON COLUMN ivoa.obscore.obs_collection IS
    'Name of the data collection.';
COMMENT ON COLUMN ivoa.obscore.obs_id IS
    'Observation ID.';
COMMENT ON COLUMN ivoa.obscore.obs_publisher_did IS
    'Dataset identifier given by the publisher (IVOA dataset identifier).';
COMMENT ON COLUMN ivoa.obscore.access_url IS
    'URL used to access (download) the dataset.';
COMMENT ON COLUMN ivoa.obscore.access_format IS
    'File content format (MIME type).';
COMMENT ON COLUMN ivoa.obscore.access_estsize IS
    'Estimated size of the dataset. Unit: kbyte.';
COMMENT ON COLUMN ivoa.obscore.target_name IS
    'Astronomical object observed, if any.';
COMMENT ON COLUMN ivoa.obscore.s_ra IS
    'Central right ascension, ICRS, in [0, 360). Unit: deg.';
COMMENT ON COLUMN ivoa.obscore.s_dec IS
    'Central declination, ICRS. Unit: deg.';
COMMENT ON COLUMN ivoa.obscore.s_fov IS
    'Diameter (bounds) of the covered region. Unit: deg.';
COMMENT ON COLUMN ivoa.obscore.s_region IS
    'Sky region covered by the data product, ICRS (pgSphere spoly).';
COMMENT ON COLUMN ivoa.obscore.s_resolution IS
    'Spatial resolution of data as FWHM. Unit: arcsec.';
COMMENT ON COLUMN ivoa.obscore.s_xel1 IS
    'Number of elements along the first spatial axis.';
COMMENT ON COLUMN ivoa.obscore.s_xel2 IS
    'Number of elements along the second spatial axis.';
COMMENT ON COLUMN ivoa.obscore.t_min IS
    'Start time in MJD. Unit: d.';
COMMENT ON COLUMN ivoa.obscore.t_max IS
    'Stop time in MJD. Unit: d.';
COMMENT ON COLUMN ivoa.obscore.t_exptime IS
    'Total exposure time. Unit: s.';
COMMENT ON COLUMN ivoa.obscore.t_resolution IS
    'Temporal resolution FWHM. Unit: s.';
COMMENT ON COLUMN ivoa.obscore.t_xel IS
    'Number of elements along the time axis.';
COMMENT ON COLUMN ivoa.obscore.em_min IS
    'Start in spectral coordinates (vacuum wavelength). Unit: m.';
COMMENT ON COLUMN ivoa.obscore.em_max IS
    'Stop in spectral coordinates (vacuum wavelength). Unit: m.';
COMMENT ON COLUMN ivoa.obscore.em_res_power IS
    'Spectral resolving power.';
COMMENT ON COLUMN ivoa.obscore.em_xel IS
    'Number of elements along the spectral axis.';
COMMENT ON COLUMN ivoa.obscore.o_ucd IS
    'UCD of the observable (e.g. phot.flux.density, phot.count).';
COMMENT ON COLUMN ivoa.obscore.pol_states IS
    'List of polarization states, slash-delimited (e.g. /I/Q/U/V/), or NULL if not applicable.';
COMMENT ON COLUMN ivoa.obscore.pol_xel IS
    'Number of polarization samples.';
COMMENT ON COLUMN ivoa.obscore.facility_name IS
    'Name of the facility used for this observation.';
COMMENT ON COLUMN ivoa.obscore.instrument_name IS
    'Name of the instrument used for this observation.';
COMMENT ON COLUMN ivoa.obscore.dataproduct_subtype IS
    'Data product specific type.';
COMMENT ON COLUMN ivoa.obscore.target_class IS
    'Class of the target/source object.';
COMMENT ON COLUMN ivoa.obscore.obs_creation_date IS
    'Date when the dataset was created (UTC).';
COMMENT ON COLUMN ivoa.obscore.obs_creator_name IS
    'Name of the creator of the data.';
COMMENT ON COLUMN ivoa.obscore.obs_creator_did IS
    'IVOA dataset identifier given by the creator.';
COMMENT ON COLUMN ivoa.obscore.obs_title IS
    'Brief description of the dataset in free format.';
COMMENT ON COLUMN ivoa.obscore.publisher_id IS
    'IVOA identifier of the publisher.';
COMMENT ON COLUMN ivoa.obscore.bib_reference IS
    'Service bibliographic reference.';
COMMENT ON COLUMN ivoa.obscore.data_rights IS
    'Data access rights: public, secure or proprietary.';
COMMENT ON COLUMN ivoa.obscore.obs_release_date IS
    'Observation release date (UTC).';
COMMENT ON COLUMN ivoa.obscore.s_ucd IS
    'UCD for the nature of the spatial axis (pos or u,v data).';
COMMENT ON COLUMN ivoa.obscore.em_ucd IS
    'Nature of the spectral axis (UCD).';
COMMENT ON COLUMN ivoa.obscore.s_unit IS
    'Unit used for the spatial axis.';
COMMENT ON COLUMN ivoa.obscore.em_unit IS
    'Unit used along the spectral axis.';
COMMENT ON COLUMN ivoa.obscore.o_unit IS
    'Unit used for the observable values.';
COMMENT ON COLUMN ivoa.obscore.s_resolution_min IS
    'Resolution minimum value on the spatial axis (FWHM of PSF). Unit: arcsec.';
COMMENT ON COLUMN ivoa.obscore.s_resolution_max IS
    'Resolution maximum value on the spatial axis (FWHM of PSF). Unit: arcsec.';
COMMENT ON COLUMN ivoa.obscore.s_pixel_scale IS
    'Sampling period in world coordinate units along the spatial axis. Unit: arcsec.';
COMMENT ON COLUMN ivoa.obscore.s_calib_status IS
    'Type of calibration along the spatial axis.';
COMMENT ON COLUMN ivoa.obscore.t_calib_status IS
    'Type of time coordinate calibration.';
COMMENT ON COLUMN ivoa.obscore.em_calib_status IS
    'Type of spectral coordinate calibration.';
COMMENT ON COLUMN ivoa.obscore.o_calib_status IS
    'Type of calibration of the observable coordinate.';
COMMENT ON COLUMN ivoa.obscore.s_stat_error IS
    'Astrometric precision along the spatial axis. Unit: arcsec.';
COMMENT ON COLUMN ivoa.obscore.t_stat_error IS
    'Time coordinate statistical error. Unit: s.';
COMMENT ON COLUMN ivoa.obscore.em_stat_error IS
    'Spectral coordinate statistical error. Unit: m.';
COMMENT ON COLUMN ivoa.obscore.o_stat_error IS
    'Statistical error on the observable axis, in the unit of o_unit.';
COMMENT ON COLUMN ivoa.obscore.em_res_power_min IS
    'Resolving power minimum value on the spectral axis.';
COMMENT ON COLUMN ivoa.obscore.em_res_power_max IS
    'Resolving power maximum value on the spectral axis.';
COMMENT ON COLUMN ivoa.obscore.em_resolution IS
    'Value of the resolution along the spectral axis. Unit: m.';
COMMENT ON COLUMN ivoa.obscore.proposal_id IS
    'Identifier of the proposal to which the observation belongs.';
COMMENT ON COLUMN ivoa.obscore.rucio_did_scope IS
    'Scope of the Rucio DID this row describes (not an ObsCore column).';
COMMENT ON COLUMN ivoa.obscore.rucio_did_name IS
    'Name of the Rucio DID this row describes (not an ObsCore column).';
