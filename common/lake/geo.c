#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "geo.h"

struct geo {
	MMDB_s	mmdb;
};

struct geo *
geo_open(const char *path, char *err, size_t errsize)
{
	struct geo	*g;
	int		 rc;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb)) != MMDB_SUCCESS) {
		snprintf(err, errsize, "%s: %s", path, MMDB_strerror(rc));
		free(g);
		return NULL;
	}
	return g;
}

void
geo_close(struct geo *g)
{
	if (g == NULL)
		return;
	MMDB_close(&g->mmdb);
	free(g);
}

static int
get_double(MMDB_entry_s *entry, const char *key, double *out)
{
	MMDB_entry_data_s	 data;

	if (MMDB_get_value(entry, &data, "location", key, NULL) != MMDB_SUCCESS ||
	    !data.has_data || data.type != MMDB_DATA_TYPE_DOUBLE)
		return -1;
	*out = data.double_value;
	return 0;
}

enum geo_status
geo_locate(const struct geo *g, const char *ip, double *lat, double *lon)
{
	MMDB_lookup_result_s	 res;
	int			 gai = 0, rc = 0;

	/* libmaxminddb only reads the database; the cast drops a const it lacks. */
	res = MMDB_lookup_string((MMDB_s *)&g->mmdb, ip, &gai, &rc);
	if (gai != 0)
		return GEO_BADADDR;
	if (rc != MMDB_SUCCESS || !res.found_entry)
		return GEO_UNKNOWN;
	if (get_double(&res.entry, "latitude", lat) == -1 ||
	    get_double(&res.entry, "longitude", lon) == -1)
		return GEO_UNKNOWN;
	return GEO_OK;
}

double
geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double	p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
	double	dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
	double	h = sin(dp / 2) * sin(dp / 2) +
		    cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

	/* Haversine: well conditioned for the short distances that matter. */
	return 2 * GEO_EARTH_KM * asin(fmin(1.0, sqrt(h)));
}
