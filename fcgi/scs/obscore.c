#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obscore.h"

#define U(x)	"obscore:" x

/*
 * Fields: name, datatype, arraysize, ucd, unit, utype, xtype, id, ref,
 * description, null.  No xtypes: results are VOTable 1.1 (see votable.h),
 * so timestamps are plain ISO 8601 strings and regions STC-S strings, and
 * integers carry a VALUES null outside their ObsCore range.
 */
#define LONG_NULL	"-9223372036854775808"
#define INT_NULL	"-2147483648"
#define TEXT(n, ucd, utype, desc, verb) \
	{ { n, "char", "*", ucd, NULL, U(utype), NULL, NULL, NULL, desc, \
	    NULL }, COL_TEXT, verb }
#define DBL(n, ucd, unit, utype, desc, verb) \
	{ { n, "double", NULL, ucd, unit, U(utype), NULL, NULL, NULL, desc, \
	    NULL }, COL_DOUBLE, verb }
#define LONG(n, ucd, unit, utype, desc, verb) \
	{ { n, "long", NULL, ucd, unit, U(utype), NULL, NULL, NULL, desc, \
	    LONG_NULL }, COL_INT, verb }
#define TIME(n, ucd, utype, desc, verb) \
	{ { n, "char", "*", ucd, NULL, U(utype), NULL, NULL, NULL, desc, \
	    NULL }, COL_TIMESTAMP, verb }

const struct vot_field obscore_dist_field = {
	"_r", "double", NULL, "pos.angDistance", "deg", NULL, NULL, NULL,
	NULL, "Distance from the cone centre", NULL
};

const struct obscore_col obscore_cols[] = {
	/* VERB=1: what finds and fetches a dataset. */
	TEXT("obs_publisher_did", "ID_MAIN", "Curation.publisherDID",
	    "Dataset identifier given by the publisher", 1),
	TEXT("obs_id", "meta.id", "DataID.observationID",
	    "Internal ID given by the ObsTAP service", 1),
	{ { "s_ra", "double", NULL, "POS_EQ_RA_MAIN", "deg",
	    U("Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1"),
	    NULL, NULL, "sys", "Central right ascension, ICRS", NULL },
	    COL_DOUBLE, 1 },
	{ { "s_dec", "double", NULL, "POS_EQ_DEC_MAIN", "deg",
	    U("Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2"),
	    NULL, NULL, "sys", "Central declination, ICRS", NULL },
	    COL_DOUBLE, 1 },
	TEXT("access_url", "meta.ref.url", "Access.reference",
	    "URL used to access (download) dataset", 1),
	TEXT("access_format", "meta.code.mime", "Access.format",
	    "File content format", 1),
	/* VERB=2: the principal ObsCore columns. */
	TEXT("dataproduct_type", "meta.code.class", "ObsDataset.dataProductType",
	    "Logical data product type (image etc.)", 2),
	{ { "calib_level", "int", NULL, "meta.code;obs.calib", NULL,
	    U("ObsDataset.calibLevel"), NULL, NULL, NULL,
	    "Calibration level {0, 1, 2, 3, 4}", INT_NULL }, COL_INT, 2 },
	TEXT("obs_collection", "meta.id", "DataID.collection",
	    "Name of the data collection", 2),
	LONG("access_estsize", "phys.size;meta.file", "kbyte", "Access.size",
	    "Estimated size of dataset in kilobytes", 2),
	TEXT("target_name", "meta.id;src", "Target.name",
	    "Astronomical object observed, if any", 2),
	DBL("s_fov", "phys.angSize;instr.fov", "deg",
	    "Char.SpatialAxis.Coverage.Bounds.Extent.diameter",
	    "Diameter (bounds) of the covered region", 2),
	{ { "s_region", "char", "*", "pos.outline;obs.field", NULL,
	    U("Char.SpatialAxis.Coverage.Support.Area"), NULL, NULL, NULL,
	    "Region covered, as an STC-S polygon", NULL }, COL_POLYGON, 2 },
	DBL("s_resolution", "pos.angResolution", "arcsec",
	    "Char.SpatialAxis.Resolution.Refval.value",
	    "Spatial resolution of data as FWHM", 2),
	DBL("t_min", "time.start;obs.exposure", "d",
	    "Char.TimeAxis.Coverage.Bounds.Limits.StartTime",
	    "Start time in MJD", 2),
	DBL("t_max", "time.end;obs.exposure", "d",
	    "Char.TimeAxis.Coverage.Bounds.Limits.StopTime",
	    "Stop time in MJD", 2),
	DBL("t_exptime", "time.duration;obs.exposure", "s",
	    "Char.TimeAxis.Coverage.Support.Extent", "Total exposure time", 2),
	DBL("em_min", "em.wl;stat.min", "m",
	    "Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit",
	    "Start in spectral coordinates (vacuum wavelength)", 2),
	DBL("em_max", "em.wl;stat.max", "m",
	    "Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit",
	    "Stop in spectral coordinates (vacuum wavelength)", 2),
	TEXT("o_ucd", "meta.ucd", "Char.ObservableAxis.ucd",
	    "UCD of observable (e.g. phot.flux.density)", 2),
	TEXT("pol_states", "meta.code;phys.polarization",
	    "Char.PolarizationAxis.stateList",
	    "List of polarization states or NULL if not applicable", 2),
	TEXT("facility_name", "meta.id;instr.tel",
	    "Provenance.ObsConfig.Facility.name",
	    "Name of the facility used for this observation", 2),
	TEXT("instrument_name", "meta.id;instr",
	    "Provenance.ObsConfig.Instrument.name",
	    "Name of the instrument used for this observation", 2),
	{ { "rucio_did_scope", "char", "*", "meta.id", NULL, NULL, NULL, NULL,
	    NULL, "Rucio scope of the dataset", NULL }, COL_TEXT, 2 },
	{ { "rucio_did_name", "char", "*", "meta.id", NULL, NULL, NULL, NULL,
	    NULL, "Rucio name of the dataset", NULL }, COL_TEXT, 2 },
	/* VERB=3: every other ObsCore 1.1 column. */
	LONG("s_xel1", "meta.number", NULL, "Char.SpatialAxis.numBins1",
	    "Number of elements along the first spatial axis", 3),
	LONG("s_xel2", "meta.number", NULL, "Char.SpatialAxis.numBins2",
	    "Number of elements along the second spatial axis", 3),
	DBL("t_resolution", "time.resolution", "s",
	    "Char.TimeAxis.Resolution.Refval.value",
	    "Temporal resolution FWHM", 3),
	LONG("t_xel", "meta.number", NULL, "Char.TimeAxis.numBins",
	    "Number of elements along the time axis", 3),
	DBL("em_res_power", "spect.resolution", NULL,
	    "Char.SpectralAxis.Resolution.ResolPower.refVal",
	    "Value of the resolving power along the spectral axis (R)", 3),
	LONG("em_xel", "meta.number", NULL, "Char.SpectralAxis.numBins",
	    "Number of elements along the spectral axis", 3),
	LONG("pol_xel", "meta.number", NULL, "Char.PolarizationAxis.numBins",
	    "Number of polarization samples", 3),
	TEXT("dataproduct_subtype", "meta.code.class",
	    "ObsDataset.dataProductSubtype", "Data product specific type", 3),
	TEXT("target_class", "src.class", "Target.class",
	    "Class of the target object", 3),
	TIME("obs_creation_date", "time;meta.dataset", "DataID.date",
	    "Date of creation of the data", 3),
	TEXT("obs_creator_name", "meta.id", "DataID.creator",
	    "Name of the creator of the data", 3),
	TEXT("obs_creator_did", "meta.id", "DataID.creatorDID",
	    "IVOA dataset identifier given by the creator", 3),
	TEXT("obs_title", "meta.title;obs", "DataID.title",
	    "Brief description of dataset in free format", 3),
	TEXT("publisher_id", "meta.ref.ivoid", "Curation.publisherID",
	    "IVOA-ID for the publisher", 3),
	TEXT("bib_reference", "meta.bib.bibcode", "Curation.reference",
	    "Service bibliographic reference", 3),
	TEXT("data_rights", "meta.code", "Curation.rights",
	    "Public/Secure/Proprietary", 3),
	TIME("obs_release_date", "time.release", "Curation.releaseDate",
	    "Observation release date", 3),
	TEXT("s_ucd", "meta.ucd", "Char.SpatialAxis.ucd",
	    "UCD for the nature of the spatial axis", 3),
	TEXT("s_unit", "meta.unit", "Char.SpatialAxis.unit",
	    "Unit used for spatial axis", 3),
	DBL("s_resolution_min", "pos.angResolution;stat.min", "arcsec",
	    "Char.SpatialAxis.Resolution.Bounds.Limits.LoLimit",
	    "Resolution min value on spatial axis (FWHM of PSF)", 3),
	DBL("s_resolution_max", "pos.angResolution;stat.max", "arcsec",
	    "Char.SpatialAxis.Resolution.Bounds.Limits.HiLimit",
	    "Resolution max value on spatial axis (FWHM of PSF)", 3),
	DBL("s_pixel_scale", "phys.angSize;instr.pixel", "arcsec",
	    "Char.SpatialAxis.Sampling.RefVal.SamplingPeriod",
	    "Sampling period in world coordinate units", 3),
	TEXT("s_calib_status", "meta.code.qual",
	    "Char.SpatialAxis.calibrationStatus",
	    "Type of calibration along the spatial axis", 3),
	DBL("s_stat_error", "stat.error;pos.eq", "arcsec",
	    "Char.SpatialAxis.Accuracy.StatError.Refval.value",
	    "Astrometric precision along the spatial axis", 3),
	TEXT("t_calib_status", "meta.code.qual",
	    "Char.TimeAxis.calibrationStatus",
	    "Type of time coordinate calibration", 3),
	DBL("t_stat_error", "stat.error;time", "s",
	    "Char.TimeAxis.Accuracy.StatError.Refval.value",
	    "Time coord statistical error", 3),
	TEXT("em_ucd", "meta.ucd", "Char.SpectralAxis.ucd",
	    "Nature of the spectral axis", 3),
	TEXT("em_unit", "meta.unit", "Char.SpectralAxis.unit",
	    "Units along the spectral axis", 3),
	TEXT("em_calib_status", "meta.code.qual",
	    "Char.SpectralAxis.calibrationStatus",
	    "Type of spectral coord calibration", 3),
	DBL("em_res_power_min", "spect.resolution;stat.min", NULL,
	    "Char.SpectralAxis.Resolution.ResolPower.LoLimit",
	    "Resolving power min value on spectral axis", 3),
	DBL("em_res_power_max", "spect.resolution;stat.max", NULL,
	    "Char.SpectralAxis.Resolution.ResolPower.HiLimit",
	    "Resolving power max value on spectral axis", 3),
	DBL("em_resolution", "spect.resolution;stat.mean", "m",
	    "Char.SpectralAxis.Resolution.Refval.value",
	    "Value of Resolution along the spectral axis", 3),
	DBL("em_stat_error", "stat.error;em", "m",
	    "Char.SpectralAxis.Accuracy.StatError.Refval.value",
	    "Spectral coord statistical error", 3),
	TEXT("o_unit", "meta.unit", "Char.ObservableAxis.unit",
	    "Units used for the observable values", 3),
	TEXT("o_calib_status", "meta.code.qual",
	    "Char.ObservableAxis.calibrationStatus",
	    "Type of calibration for the observable coordinate", 3),
	DBL("o_stat_error", "stat.error", NULL,
	    "Char.ObservableAxis.Accuracy.StatError.Refval.value",
	    "Statistical error on the observable", 3),
	TEXT("proposal_id", "meta.id;obs.proposal", "Provenance.Proposal.identifier",
	    "Identifier of proposal to which observation belongs", 3),
};

const int obscore_ncols = sizeof(obscore_cols) / sizeof(obscore_cols[0]);

const char *
obscore_region(const char *s, char *buf, size_t size)
{
	static const char	 head[] = "Polygon ICRS";
	size_t			 len = sizeof(head) - 1, n;
	char			*end;
	int			 count = 0;

	if (*s++ != '{' || size < sizeof(head))
		return NULL;
	memcpy(buf, head, sizeof(head));
	/* Vertices are "(lon d , lat d)" separated by commas, inside {}. */
	while (*s != '\0' && *s != '}') {
		if (strchr("(), d", *s) != NULL) {
			s++;
			continue;
		}
		(void)strtod(s, &end);
		if (end == s)
			return NULL;
		n = (size_t)(end - s);
		if (len + n + 2 > size)
			return NULL;
		buf[len++] = ' ';
		memcpy(buf + len, s, n);
		len += n;
		buf[len] = '\0';
		s = end;
		count++;
	}
	/* A polygon has at least three vertices, two numbers each. */
	if (*s != '}' || count < 6 || count % 2 != 0)
		return NULL;
	return buf;
}
