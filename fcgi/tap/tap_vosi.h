/*
 * tap_vosi: the documents that describe the TAP service, written from the
 * catalogue: VOSI tables (VOSI 1.1 §3.4, VODataService 1.1) and the
 * TAPRegExt 1.0 part of the capabilities (the ADQL languages and their
 * features, output formats, limits, the data model).
 */
#ifndef RIF_TAP_VOSI_H
#define RIF_TAP_VOSI_H

#include "response.h"
#include "tap_catalog.h"
#include "xmlw.h"

/*
 * The tableset: every schema with its tables, and with DETAIL their
 * columns and foreign keys (detail=max, the default); without, names and
 * descriptions only (detail=min).
 */
void	tap_vosi_tableset(struct response *, const struct tap_catalog *,
	    int detail);
/* One table, with its columns and keys (/tables/{name}). */
void	tap_vosi_table(struct response *, const struct tap_table *);

/* What the capability says about limits and formats. */
struct tap_vosi_limits {
	long	 maxrec_default;
	long	 maxrec_limit;
	long	 exec_default_s;	/* an async job's executionDuration */
	long	 exec_hard_s;		/* and the most it may be given */
	long	 retention_s;		/* how long a job is kept */
	long	 upload_max_size;	/* bytes of TAP_UPLOAD */
};

/* The children of the TAP capability after its interface (TAPRegExt). */
void	tap_vosi_capability(struct xmlw *, const struct tap_vosi_limits *);

#endif
