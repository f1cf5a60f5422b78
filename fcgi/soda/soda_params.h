/*
 * soda_params: the cutout parameters of SODA 1.0 (§3), checked and written
 * again in one canonical form for the SODA service that will do the work.
 *
 * POS (CIRCLE lon lat r | RANGE lon1 lon2 lat1 lat2 | POLYGON lon lat ...),
 * CIRCLE, POLYGON (DALI circle and polygon), BAND and TIME (DALI intervals,
 * infinite bounds allowed as +Inf/-Inf/inf in any case, as pyvo writes
 * them) and POL (the SODA state names).  Coordinates are ICRS degrees.
 */
#ifndef RIF_SODA_PARAMS_H
#define RIF_SODA_PARAMS_H

#include <stddef.h>

#include "strbuf.h"

enum soda_kind {
	SODA_POS,
	SODA_CIRCLE,
	SODA_POLYGON,
	SODA_BAND,
	SODA_TIME,
	SODA_POL
};

/*
 * Check VALUE as parameter KIND and append its canonical form to OUT.
 * Returns 0, or -1 with the reason (for a "UsageError: " document) in ERR.
 */
int	soda_param(enum soda_kind kind, const char *value, struct strbuf *out,
	    char *err, size_t errsize);

#endif
