-- TAP_SCHEMA (TAP 1.1 §4): what tap.fcgi publishes, and the one place its
-- column metadata lives.  The TAP service reads it once per worker (and
-- again after each reconnection) to know which tables and columns a query
-- may name, what each result column's VOTable FIELD says, and what
-- /tap/tables lists.
--
-- Names in TAP_SCHEMA are ADQL names: schema_name 'ivoa', table_name
-- 'ivoa.ObsCore' (ObsCore 1.1 §4).  The database object behind one is the
-- name PostgreSQL would fold it to: a regular identifier in lower case
-- (ivoa.ObsCore is ivoa.obscore), a "delimited" one exactly as written
-- between the quotes.
--
-- This file describes TAP_SCHEMA itself and ivoa.ObsCore, and owns those
-- rows only: applying it again rewrites them and leaves any other rows
-- alone.  To publish another table, an operator adds its rows (tables,
-- columns, and keys if it has any) in a file of their own and grants
-- SELECT on it to tap_reader; tap.fcgi sees it after its workers reconnect
-- (restart them).  Nothing else is reachable from ADQL.
--
-- Queries run as the role tap_reader, made here without LOGIN: tap.fcgi
-- logs in as the role of [database] conninfo and switches to the one of
-- [tap] role with SET ROLE, so the login role must be a member of it:
--     GRANT tap_reader TO <the role tap.fcgi logs in as>;
-- tap_reader may read the published tables and nothing else (no table is
-- readable by PUBLIC unless granted), and tap.fcgi also runs every query
-- read-only and under [tap] statement_timeout.  It may make temporary
-- tables, which is how uploaded tables (TAP_UPLOAD) reach a query.

BEGIN;

CREATE SCHEMA IF NOT EXISTS tap_schema;

CREATE TABLE IF NOT EXISTS tap_schema.schemas (
    schema_name  text PRIMARY KEY,
    utype        text,
    description  text,
    schema_index integer
);

CREATE TABLE IF NOT EXISTS tap_schema.tables (
    schema_name  text NOT NULL REFERENCES tap_schema.schemas (schema_name),
    table_name   text PRIMARY KEY,
    table_type   text NOT NULL CHECK (table_type IN ('table', 'view')),
    utype        text,
    description  text,
    table_index  integer
);

CREATE TABLE IF NOT EXISTS tap_schema.columns (
    table_name   text NOT NULL REFERENCES tap_schema.tables (table_name),
    column_name  text NOT NULL,
    datatype     text NOT NULL,
    arraysize    text,
    xtype        text,
    -- TAP 1.0's column, kept in 1.1 for old clients; "size" is an ADQL
    -- reserved word, so its name is always written delimited.
    "size"       integer,
    description  text,
    utype        text,
    unit         text,
    ucd          text,
    indexed      integer NOT NULL CHECK (indexed IN (0, 1)),
    principal    integer NOT NULL CHECK (principal IN (0, 1)),
    std          integer NOT NULL CHECK (std IN (0, 1)),
    column_index integer,
    PRIMARY KEY (table_name, column_name)
);

CREATE TABLE IF NOT EXISTS tap_schema.keys (
    key_id       text PRIMARY KEY,
    from_table   text NOT NULL REFERENCES tap_schema.tables (table_name),
    target_table text NOT NULL REFERENCES tap_schema.tables (table_name),
    description  text,
    utype        text
);

CREATE TABLE IF NOT EXISTS tap_schema.key_columns (
    key_id        text NOT NULL REFERENCES tap_schema.keys (key_id),
    from_column   text NOT NULL,
    target_column text NOT NULL,
    PRIMARY KEY (key_id, from_column)
);

-- --- The rows this file owns ---------------------------------------------

DELETE FROM tap_schema.key_columns
 WHERE key_id IN (SELECT key_id FROM tap_schema.keys
                   WHERE from_table LIKE 'TAP\_SCHEMA.%'
                      OR from_table = 'ivoa.ObsCore');
DELETE FROM tap_schema.keys
 WHERE from_table LIKE 'TAP\_SCHEMA.%' OR from_table = 'ivoa.ObsCore';
DELETE FROM tap_schema.columns
 WHERE table_name LIKE 'TAP\_SCHEMA.%' OR table_name = 'ivoa.ObsCore';

INSERT INTO tap_schema.schemas (schema_name, utype, description, schema_index)
VALUES
    ('TAP_SCHEMA', NULL,
     'Metadata of the tables this service publishes (TAP 1.1 section 4)', 1),
    ('ivoa', NULL,
     'IVOA data models: the ObsCore 1.1 view of the Rucio data lake', 0)
ON CONFLICT (schema_name) DO UPDATE
    SET utype = EXCLUDED.utype, description = EXCLUDED.description,
        schema_index = EXCLUDED.schema_index;

INSERT INTO tap_schema.tables (schema_name, table_name, table_type, utype,
                               description, table_index)
VALUES
    ('TAP_SCHEMA', 'TAP_SCHEMA.schemas', 'table', NULL,
     'The schemas this service publishes', 10),
    ('TAP_SCHEMA', 'TAP_SCHEMA.tables', 'table', NULL,
     'The tables this service publishes', 11),
    ('TAP_SCHEMA', 'TAP_SCHEMA.columns', 'table', NULL,
     'The columns of the published tables', 12),
    ('TAP_SCHEMA', 'TAP_SCHEMA.keys', 'table', NULL,
     'Foreign keys between the published tables', 13),
    ('TAP_SCHEMA', 'TAP_SCHEMA.key_columns', 'table', NULL,
     'The columns of each foreign key', 14),
    ('ivoa', 'ivoa.ObsCore', 'table', 'ivo://ivoa.net/std/ObsCore#core-1.1',
     'ObsCore 1.1 view of the Rucio data lake: one row per DID whose '
     'metadata describes an observation', 0)
ON CONFLICT (table_name) DO UPDATE
    SET schema_name = EXCLUDED.schema_name, table_type = EXCLUDED.table_type,
        utype = EXCLUDED.utype, description = EXCLUDED.description,
        table_index = EXCLUDED.table_index;

-- TAP_SCHEMA itself (TAP 1.1 §4.1-4.5).  Strings are char/* and the flags
-- and indexes int, as TAP 1.1 declares them.
INSERT INTO tap_schema.columns (table_name, column_name, datatype, arraysize,
                                "size", description, indexed, principal,
                                std, column_index)
SELECT 'TAP_SCHEMA.' || t, c, d, CASE d WHEN 'char' THEN '*' END, NULL, descr,
       CASE WHEN c IN ('schema_name', 'table_name', 'column_name', 'key_id')
            THEN 1 ELSE 0 END,
       1, 1, i
  FROM (VALUES
    ('schemas', 'schema_name', 'char', 'Schema name, as ADQL names it', 1),
    ('schemas', 'utype', 'char', 'Data model of the schema', 2),
    ('schemas', 'description', 'char', 'Description of the schema', 3),
    ('schemas', 'schema_index', 'int', 'Order in which to show schemas', 4),
    ('tables', 'schema_name', 'char', 'The schema the table belongs to', 1),
    ('tables', 'table_name', 'char', 'Table name, as ADQL names it', 2),
    ('tables', 'table_type', 'char', 'table or view', 3),
    ('tables', 'utype', 'char', 'Data model of the table', 4),
    ('tables', 'description', 'char', 'Description of the table', 5),
    ('tables', 'table_index', 'int', 'Order in which to show tables', 6),
    ('columns', 'table_name', 'char', 'The table the column belongs to', 1),
    ('columns', 'column_name', 'char', 'Column name, as ADQL names it', 2),
    ('columns', 'datatype', 'char', 'VOTable datatype of the column', 3),
    ('columns', 'arraysize', 'char', 'VOTable arraysize of the column', 4),
    ('columns', 'xtype', 'char', 'VOTable xtype of the column', 5),
    ('columns', '"size"', 'int', 'Length of a fixed-length column (TAP 1.0)',
     6),
    ('columns', 'description', 'char', 'Description of the column', 7),
    ('columns', 'utype', 'char', 'Data model of the column', 8),
    ('columns', 'unit', 'char', 'Unit, in VO standard form', 9),
    ('columns', 'ucd', 'char', 'Unified Content Descriptor of the column',
     10),
    ('columns', 'indexed', 'int', '1 if the column is indexed', 11),
    ('columns', 'principal', 'int', '1 if the column is principal', 12),
    ('columns', 'std', 'int', '1 if the column is defined by a standard', 13),
    ('columns', 'column_index', 'int', 'Order in which to show columns', 14),
    ('keys', 'key_id', 'char', 'Identifier of the foreign key', 1),
    ('keys', 'from_table', 'char', 'The table holding the key', 2),
    ('keys', 'target_table', 'char', 'The table the key refers to', 3),
    ('keys', 'description', 'char', 'Description of the key', 4),
    ('keys', 'utype', 'char', 'Data model of the key', 5),
    ('key_columns', 'key_id', 'char', 'The foreign key', 1),
    ('key_columns', 'from_column', 'char', 'Column of the key''s table', 2),
    ('key_columns', 'target_column', 'char', 'Column of the target table', 3)
  ) AS v (t, c, d, descr, i);

-- ivoa.ObsCore: ObsCore 1.1 Table 4 and App. C (UCDs, units, utypes), in
-- the table's column order.  Unitless columns have a NULL unit, as the
-- standard leaves them.  s_region is an STC-S string (char/*): the form
-- TAP 1.0 clients read and taplint's ObsCore test takes.
INSERT INTO tap_schema.columns (table_name, column_name, datatype, arraysize,
                                xtype, description, utype, unit, ucd,
                                indexed, principal, std, column_index)
SELECT 'ivoa.ObsCore', c, d, CASE WHEN d = 'char' THEN '*' END, x, descr,
       CASE WHEN u IS NOT NULL THEN 'obscore:' || u END, unit, ucd, ix, pr,
       std, row_number() OVER ()
  FROM (VALUES
    ('dataproduct_type', 'char', NULL, 'ObsDataset.dataProductType', NULL,
     'meta.code.class', 0, 1, 1,
     'Data product (file content) primary type: image, cube, spectrum, '
     'sed, timeseries, visibility, event or measurements'),
    ('calib_level', 'int', NULL, 'ObsDataset.calibLevel', NULL,
     'meta.code;obs.calib', 0, 1, 1, 'Calibration level {0, 1, 2, 3, 4}'),
    ('obs_collection', 'char', NULL, 'DataID.collection', NULL, 'meta.id',
     0, 1, 1, 'Name of the data collection'),
    ('obs_id', 'char', NULL, 'DataID.observationID', NULL, 'meta.id', 1, 1, 1,
     'Observation ID'),
    ('obs_publisher_did', 'char', NULL, 'Curation.publisherDID', NULL,
     'meta.ref.ivoid', 1, 1, 1,
     'Dataset identifier given by the publisher (IVOA dataset identifier)'),
    ('access_url', 'char', NULL, 'Access.reference', NULL, 'meta.ref.url', 0,
     1, 1, 'URL used to access (download) the dataset'),
    ('access_format', 'char', NULL, 'Access.format', NULL, 'meta.code.mime',
     0, 1, 1, 'File content format (MIME type)'),
    ('access_estsize', 'long', NULL, 'Access.size', 'kbyte',
     'phys.size;meta.file', 0, 1, 1, 'Estimated size of the dataset'),
    ('target_name', 'char', NULL, 'Target.name', NULL, 'meta.id;src', 0, 1, 1,
     'Astronomical object observed, if any'),
    ('s_ra', 'double', NULL,
     'Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1', 'deg',
     'pos.eq.ra', 1, 1, 1, 'Central right ascension, ICRS, in [0, 360)'),
    ('s_dec', 'double', NULL,
     'Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2', 'deg',
     'pos.eq.dec', 1, 1, 1, 'Central declination, ICRS'),
    ('s_fov', 'double', NULL,
     'Char.SpatialAxis.Coverage.Bounds.Extent.diameter', 'deg',
     'phys.angSize;instr.fov', 0, 1, 1,
     'Diameter (bounds) of the covered region'),
    ('s_region', 'char', 'adql:REGION',
     'Char.SpatialAxis.Coverage.Support.Area', NULL, 'pos.outline;obs.field',
     1, 1, 1, 'Sky region covered by the data product, ICRS, as an STC-S '
     'polygon'),
    ('s_resolution', 'double', NULL,
     'Char.SpatialAxis.Resolution.Refval.value', 'arcsec',
     'pos.angResolution', 0, 1, 1, 'Spatial resolution of data as FWHM'),
    ('s_xel1', 'long', NULL, 'Char.SpatialAxis.numBins1', NULL,
     'meta.number', 0, 0, 1,
     'Number of elements along the first spatial axis'),
    ('s_xel2', 'long', NULL, 'Char.SpatialAxis.numBins2', NULL,
     'meta.number', 0, 0, 1,
     'Number of elements along the second spatial axis'),
    ('t_min', 'double', NULL,
     'Char.TimeAxis.Coverage.Bounds.Limits.StartTime', 'd',
     'time.start;obs.exposure', 0, 1, 1, 'Start time in MJD'),
    ('t_max', 'double', NULL,
     'Char.TimeAxis.Coverage.Bounds.Limits.StopTime', 'd',
     'time.end;obs.exposure', 0, 1, 1, 'Stop time in MJD'),
    ('t_exptime', 'double', NULL, 'Char.TimeAxis.Coverage.Support.Extent',
     's', 'time.duration;obs.exposure', 0, 1, 1, 'Total exposure time'),
    ('t_resolution', 'double', NULL, 'Char.TimeAxis.Resolution.Refval.value',
     's', 'time.resolution', 0, 0, 1, 'Temporal resolution FWHM'),
    ('t_xel', 'long', NULL, 'Char.TimeAxis.numBins', NULL, 'meta.number', 0,
     0, 1, 'Number of elements along the time axis'),
    ('em_min', 'double', NULL,
     'Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit', 'm',
     'em.wl;stat.min', 0, 1, 1,
     'Start in spectral coordinates (vacuum wavelength)'),
    ('em_max', 'double', NULL,
     'Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit', 'm',
     'em.wl;stat.max', 0, 1, 1,
     'Stop in spectral coordinates (vacuum wavelength)'),
    ('em_res_power', 'double', NULL,
     'Char.SpectralAxis.Resolution.ResolPower.refVal', NULL,
     'spect.resolution', 0, 0, 1, 'Spectral resolving power'),
    ('em_xel', 'long', NULL, 'Char.SpectralAxis.numBins', NULL,
     'meta.number', 0, 0, 1, 'Number of elements along the spectral axis'),
    ('o_ucd', 'char', NULL, 'Char.ObservableAxis.ucd', NULL, 'meta.ucd', 0, 0,
     1, 'UCD of the observable (e.g. phot.flux.density, phot.count)'),
    ('pol_states', 'char', NULL, 'Char.PolarizationAxis.stateList', NULL,
     'meta.code;phys.polarization', 0, 0, 1,
     'Polarization states, slash-delimited (e.g. /I/Q/U/V/), or NULL if '
     'not applicable'),
    ('pol_xel', 'long', NULL, 'Char.PolarizationAxis.numBins', NULL,
     'meta.number', 0, 0, 1, 'Number of polarization samples'),
    ('facility_name', 'char', NULL, 'Provenance.ObsConfig.Facility.name',
     NULL, 'meta.id;instr.tel', 0, 1, 1,
     'Name of the facility used for this observation'),
    ('instrument_name', 'char', NULL,
     'Provenance.ObsConfig.Instrument.name', NULL, 'meta.id;instr', 0, 1, 1,
     'Name of the instrument used for this observation'),
    ('dataproduct_subtype', 'char', NULL, 'ObsDataset.dataProductSubtype',
     NULL, 'meta.code.class', 0, 0, 1, 'Data product specific type'),
    ('target_class', 'char', NULL, 'Target.class', NULL, 'src.class', 0, 0, 1,
     'Class of the target/source object'),
    ('obs_creation_date', 'char', 'timestamp', 'DataID.date', NULL,
     'time;meta.dataset', 0, 0, 1, 'Date the dataset was created (UTC)'),
    ('obs_creator_name', 'char', NULL, 'DataID.creator', NULL, 'meta.id', 0,
     0, 1, 'Name of the creator of the data'),
    ('obs_creator_did', 'char', NULL, 'DataID.creatorDID', NULL, 'meta.id', 0,
     0, 1, 'IVOA dataset identifier given by the creator'),
    ('obs_title', 'char', NULL, 'DataID.title', NULL, 'meta.title;obs', 0, 0,
     1, 'Brief description of the dataset in free format'),
    ('publisher_id', 'char', NULL, 'Curation.publisherID', NULL,
     'meta.ref.ivoid', 0, 0, 1, 'IVOA identifier of the publisher'),
    ('bib_reference', 'char', NULL, 'Curation.reference', NULL,
     'meta.bib.bibcode', 0, 0, 1, 'Service bibliographic reference'),
    ('data_rights', 'char', NULL, 'Curation.rights', NULL, 'meta.code', 0, 0,
     1, 'Data access rights: public, secure or proprietary'),
    ('obs_release_date', 'char', 'timestamp', 'Curation.releaseDate', NULL,
     'time.release', 0, 1, 1, 'Observation release date (UTC)'),
    ('s_ucd', 'char', NULL, 'Char.SpatialAxis.ucd', NULL, 'meta.ucd', 0, 0, 1,
     'UCD for the nature of the spatial axis (pos or u,v data)'),
    ('em_ucd', 'char', NULL, 'Char.SpectralAxis.ucd', NULL, 'meta.ucd', 0, 0,
     1, 'Nature of the spectral axis (UCD)'),
    ('s_unit', 'char', NULL, 'Char.SpatialAxis.unit', NULL, 'meta.unit', 0, 0,
     1, 'Unit used for the spatial axis'),
    ('em_unit', 'char', NULL, 'Char.SpectralAxis.unit', NULL, 'meta.unit', 0,
     0, 1, 'Unit used along the spectral axis'),
    ('o_unit', 'char', NULL, 'Char.ObservableAxis.unit', NULL, 'meta.unit', 0,
     0, 1, 'Unit used for the observable values'),
    ('s_resolution_min', 'double', NULL,
     'Char.SpatialAxis.Resolution.Bounds.Limits.LoLimit', 'arcsec',
     'pos.angResolution;stat.min', 0, 0, 1,
     'Resolution minimum value on the spatial axis (FWHM of PSF)'),
    ('s_resolution_max', 'double', NULL,
     'Char.SpatialAxis.Resolution.Bounds.Limits.HiLimit', 'arcsec',
     'pos.angResolution;stat.max', 0, 0, 1,
     'Resolution maximum value on the spatial axis (FWHM of PSF)'),
    ('s_pixel_scale', 'double', NULL,
     'Char.SpatialAxis.Sampling.RefVal.SamplingPeriod', 'arcsec',
     'phys.angSize;instr.pixel', 0, 0, 1,
     'Sampling period in world coordinate units along the spatial axis'),
    ('s_calib_status', 'char', NULL, 'Char.SpatialAxis.calibrationStatus',
     NULL, 'meta.code.qual', 0, 0, 1,
     'Type of calibration along the spatial axis'),
    ('t_calib_status', 'char', NULL, 'Char.TimeAxis.calibrationStatus', NULL,
     'meta.code.qual', 0, 0, 1, 'Type of time coordinate calibration'),
    ('em_calib_status', 'char', NULL, 'Char.SpectralAxis.calibrationStatus',
     NULL, 'meta.code.qual', 0, 0, 1,
     'Type of spectral coordinate calibration'),
    ('o_calib_status', 'char', NULL, 'Char.ObservableAxis.calibrationStatus',
     NULL, 'meta.code.qual', 0, 0, 1,
     'Type of calibration of the observable coordinate'),
    ('s_stat_error', 'double', NULL,
     'Char.SpatialAxis.Accuracy.StatError.Refval.value', 'arcsec',
     'stat.error;pos.eq', 0, 0, 1,
     'Astrometric precision along the spatial axis'),
    ('t_stat_error', 'double', NULL,
     'Char.TimeAxis.Accuracy.StatError.Refval.value', 's', 'stat.error;time',
     0, 0, 1, 'Time coordinate statistical error'),
    ('em_stat_error', 'double', NULL,
     'Char.SpectralAxis.Accuracy.StatError.Refval.value', 'm',
     'stat.error;em', 0, 0, 1, 'Spectral coordinate statistical error'),
    ('o_stat_error', 'double', NULL,
     'Char.ObservableAxis.Accuracy.StatError.Refval.value', NULL,
     'stat.error', 0, 0, 1,
     'Statistical error on the observable axis, in the unit of o_unit'),
    ('em_res_power_min', 'double', NULL,
     'Char.SpectralAxis.Resolution.ResolPower.LoLimit', NULL,
     'spect.resolution;stat.min', 0, 0, 1,
     'Resolving power minimum value on the spectral axis'),
    ('em_res_power_max', 'double', NULL,
     'Char.SpectralAxis.Resolution.ResolPower.HiLimit', NULL,
     'spect.resolution;stat.max', 0, 0, 1,
     'Resolving power maximum value on the spectral axis'),
    ('em_resolution', 'double', NULL,
     'Char.SpectralAxis.Resolution.Refval.value', 'm',
     'spect.resolution;stat.mean', 0, 0, 1,
     'Value of the resolution along the spectral axis'),
    ('proposal_id', 'char', NULL, 'Provenance.Proposal.identifier', NULL,
     'meta.id;obs.proposal', 0, 0, 1,
     'Identifier of the proposal to which the observation belongs'),
    ('rucio_did_scope', 'char', NULL, NULL, NULL, 'meta.id', 1, 1, 0,
     'Scope of the Rucio DID this row describes (not an ObsCore column)'),
    ('rucio_did_name', 'char', NULL, NULL, NULL, 'meta.id', 1, 1, 0,
     'Name of the Rucio DID this row describes (not an ObsCore column)')
  ) AS v (c, d, x, u, unit, ucd, ix, pr, std, descr);

-- The five foreign keys of TAP_SCHEMA (TAP 1.1 §4).
INSERT INTO tap_schema.keys (key_id, from_table, target_table, description)
VALUES
    ('tap_schema.tables_schema', 'TAP_SCHEMA.tables', 'TAP_SCHEMA.schemas',
     'The schema of each table'),
    ('tap_schema.columns_table', 'TAP_SCHEMA.columns', 'TAP_SCHEMA.tables',
     'The table of each column'),
    ('tap_schema.keys_from', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables',
     'The table holding each key'),
    ('tap_schema.keys_target', 'TAP_SCHEMA.keys', 'TAP_SCHEMA.tables',
     'The table each key refers to'),
    ('tap_schema.key_columns_key', 'TAP_SCHEMA.key_columns',
     'TAP_SCHEMA.keys', 'The key of each key column');

INSERT INTO tap_schema.key_columns (key_id, from_column, target_column)
VALUES
    ('tap_schema.tables_schema', 'schema_name', 'schema_name'),
    ('tap_schema.columns_table', 'table_name', 'table_name'),
    ('tap_schema.keys_from', 'from_table', 'table_name'),
    ('tap_schema.keys_target', 'target_table', 'table_name'),
    ('tap_schema.key_columns_key', 'key_id', 'key_id');

-- --- The role queries run as -----------------------------------------------

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                    WHERE rolname = 'tap_reader') THEN
        CREATE ROLE tap_reader NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA tap_schema, ivoa TO tap_reader;
GRANT SELECT ON tap_schema.schemas, tap_schema.tables, tap_schema.columns,
                tap_schema.keys, tap_schema.key_columns, ivoa.obscore
    TO tap_reader;

-- pgSphere's types and operators live in the schema its extension was
-- created in (public, or a schema of its own): the role needs to reach them,
-- and finds them first on its search path should it ever log in itself.
DO $$
DECLARE
    ns text;
BEGIN
    SELECT n.nspname INTO ns
      FROM pg_catalog.pg_extension AS e
      JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_sphere';
    IF ns IS NULL THEN
        RAISE EXCEPTION 'pgSphere is not installed (sql/00_extensions.sql)';
    END IF;
    EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO tap_reader', ns);
    EXECUTE pg_catalog.format(
        'ALTER ROLE tap_reader SET search_path = pg_catalog, %I', ns);
END
$$;

-- TAP_UPLOAD: tap.fcgi makes each uploaded table as a temporary table of
-- tap_reader's, in the query's own transaction, which drops it again.
-- PUBLIC has this right on a new database; a site that revoked it gives it
-- back to tap_reader alone.
DO $$
BEGIN
    EXECUTE pg_catalog.format('GRANT TEMPORARY ON DATABASE %I TO tap_reader',
                              pg_catalog.current_database());
END
$$;

COMMIT;
