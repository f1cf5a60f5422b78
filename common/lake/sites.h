/*
 * sites: where each storage (Rucio RSE) is, and which SODA services sit
 * beside it, from the site directory, kept in the process with a time to
 * live.
 *
 * Two shapes of directory are read: the site-capabilities API (SCAPI,
 * current: /storage-areas/grafana for positions, /storage-areas and
 * /services for the SODA services co-located with each storage area) and
 * the 2023 site directory (/storages/grafana, and /services per site, where
 * a site's SODA services count as beside each of its RSEs).  The data quirks the real directory has are
 * handled here: "https://" as a prefix, a null port, storage areas without
 * id or name, and one RSE name under several sites (the first wins).
 *
 * sites_get() returns the current table, fetching it when it is older than
 * the TTL; when the directory cannot be reached the old table is served
 * (and a warning logged) until it comes back.  A table belongs to the
 * cache: it stays valid until the next sites_get().  After a failed fetch
 * the directory is left alone for a while (see backoff.h): the table of
 * before is served meanwhile, or, when there is none, NULL at once.
 *
 * A table holds at most SITES_RSE_MAX storage areas, each with at most
 * SITES_SERVICES_MAX services of a kind; what a directory lists beyond is
 * ignored, with a warning.  Names are looked up in a hash index, so that
 * neither parsing nor sites_find() grows with the square of the table.
 */
#ifndef RIF_SITES_H
#define RIF_SITES_H

#include <time.h>

#include <jansson.h>

#include "backoff.h"
#include "config.h"
#include "http.h"
#include "oauth2.h"

/* Some hundred times the storage areas SRCNet has. */
#define SITES_RSE_MAX		16384
/* SODA sync (and async) services kept beside one storage area. */
#define SITES_SERVICES_MAX	32

struct site_service {
	char	*url;		/* access URL: prefix://host[:port]/path */
	char	*ivoid;		/* resourceIdentifier, or NULL */
};

struct site_rse {
	char			*name;
	double			 lat, lon;
	int			 located;
	struct site_service	*sync;		/* SODA sync services */
	int			 nsync;
	struct site_service	*async;		/* SODA async services */
	int			 nasync;
};

struct sites_table {
	struct site_rse	*rses;
	int		 n;
	time_t		 fetched;
	int		 dropped;	/* areas and services over the caps */
	/* Private to sites.c: the index of the names in RSES. */
	int		 alloc;		/* RSES allocated */
	int		*slots;		/* 1 + index in RSES; 0: free */
	int		 nslots;	/* a power of 2, at least twice N */
};

struct sites_opts {
	const char	*url;		/* base, e.g. https://host/api/v1 */
	enum sites_shape shape;
	const char	*token;		/* Bearer token for protected routes */
	/* Instead of it: tokens from this OAuth2 client (NULL: not used). */
	const struct oauth2_opts *oauth2;
	long		 ttl;		/* seconds */
};

struct sites;

struct sites	*sites_new(const struct sites_opts *);
void		 sites_free(struct sites *);

/*
 * The table, fetched through H when missing or stale.  NULL when there is
 * none at all (the directory has never answered); *STALE set when the
 * table is older than the TTL because the directory is failing.
 */
const struct sites_table *sites_get(struct sites *, struct http *h,
		    int *stale);

const struct site_rse *sites_find(const struct sites_table *, const char *rse);

/* The back-off state of the directory (for tests to look at and set). */
struct backoff	*sites_backoff(struct sites *);

/* Parse SCAPI answers into a new table (for sites_get and for tests). */
struct sites_table *sites_parse_scapi(const char *grafana, const char *areas,
		    const char *services, char *err, size_t errsize);
/* The same from the 2023 site directory's answers. */
struct sites_table *sites_parse_2023(const char *grafana, const char *services,
		    char *err, size_t errsize);
void		 sites_table_free(struct sites_table *);

/* An empty table, for a reader of another source; NULL on ENOMEM. */
struct sites_table *sites_table_new(void);
/*
 * Put SVC, a SCAPI service object, beside RSE in T when it is a SODA
 * service (soda_sync or soda_async); others, an empty RSE, and what is
 * over the caps are skipped.  -1 when memory runs out.
 */
int		 sites_add_service(struct sites_table *, const char *rse,
		    const json_t *svc);

/* prefix://host[:port]/path, tolerating "https://" prefixes and null ports. */
char		*sites_service_url(const char *prefix, const char *host,
		    long port, const char *path);

#endif
