/*
 * geo: where a client is, and how far apart two places are.
 *
 * geo_open() opens a MaxMind City database (GeoLite2-City or a database of
 * the same shape) with libmaxminddb, memory-mapped and read-only, so one
 * handle serves every thread of a process.  geo_locate() reads
 * location/latitude and location/longitude for an address.
 */
#ifndef RIF_GEO_H
#define RIF_GEO_H

/* Mean Earth radius, as geopy's great_circle (the prototype) uses. */
#define GEO_EARTH_KM	6371.009

enum geo_status {
	GEO_OK,
	GEO_BADADDR,	/* not an IPv4 or IPv6 address */
	GEO_UNKNOWN	/* not in the database, or no coordinates there */
};

struct geo;

/* Open PATH; NULL with a reason in ERR. */
struct geo	*geo_open(const char *path, char *err, size_t errsize);
void		 geo_close(struct geo *);
enum geo_status	 geo_locate(const struct geo *, const char *ip, double *lat,
		    double *lon);

/* Great-circle distance in km between two latitude/longitude pairs. */
double		 geo_distance_km(double lat1, double lon1, double lat2,
		    double lon2);

#endif
