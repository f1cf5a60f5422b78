/*
 * The Rucio replica source: Rucio's replica list, the site directory's
 * table of storage areas and services, and GeoIP to place the client.
 */
#include <stdio.h>
#include <stdlib.h>

#include "geo.h"
#include "oauth2.h"
#include "source.h"

struct rucio_source {
	struct rucio	*rucio;
	struct sites	*sites;
	struct geo	*geo;		/* NULL: no [geoip] database */
};

static void	rucio_source_close(void *);

static void *
rucio_source_open(const struct config *cfg, char *err, size_t errsize)
{
	struct rucio_source	*s;
	struct oauth2_opts	 rco, sco;
	struct rucio_opts	 ro = { cfg->rucio.url, cfg->rucio.account,
				    cfg->rucio.username, cfg->rucio.password,
				    cfg->rucio.token_file, oauth2_opts_of(
				    cfg->oauth2.token_url, &cfg->rucio.oauth2,
				    &rco) };
	struct sites_opts	 so = { cfg->sites.url, cfg->sites.shape,
				    cfg->sites.token,
				    oauth2_opts_of(cfg->oauth2.token_url,
				    &cfg->sites.oauth2, &sco),
				    cfg->sites.ttl };

	if (*cfg->rucio.url == '\0' || *cfg->sites.url == '\0') {
		snprintf(err, errsize, "[rucio] url and [sites] url are "
		    "required");
		return NULL;
	}
	if (*cfg->rucio.username == '\0' && *cfg->rucio.token_file == '\0' &&
	    ro.oauth2 == NULL) {
		snprintf(err, errsize, "[rucio] username, token_file or "
		    "oauth2_client_id is required");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->rucio = rucio_new(&ro)) == NULL ||
	    (s->sites = sites_new(&so)) == NULL) {
		snprintf(err, errsize, "out of memory");
		rucio_source_close(s);
		return NULL;
	}
	if (*cfg->geoip_database != '\0' &&
	    (s->geo = geo_open(cfg->geoip_database, err, errsize)) == NULL) {
		rucio_source_close(s);
		return NULL;
	}
	return s;
}

static void
rucio_source_close(void *src)
{
	struct rucio_source	*s = src;

	if (s == NULL)
		return;
	rucio_free(s->rucio);
	sites_free(s->sites);
	geo_close(s->geo);
	free(s);
}

static int
rucio_source_print(const struct config *cfg)
{
	const char	*sites = cfg->sites.url;

	if (printf("replicas\tPOST %s/replicas/list\n"
	    "metadata\tGET %s/dids/{scope}/{name}/meta?plugin=POSTGRES_JSON\n",
	    cfg->rucio.url, cfg->rucio.url) < 0)
		return 1;
	if (*cfg->rucio.oauth2.client_id != '\0' ||
	    *cfg->sites.oauth2.client_id != '\0')
		printf("token\tPOST %s\n", cfg->oauth2.token_url);
	if (*cfg->rucio.username != '\0')
		printf("token\tGET %s/auth/userpass\n", cfg->rucio.url);
	return (cfg->sites.shape == SITES_2023 ?
	    printf("sites\tGET %s/storages/grafana\n"
	    "sites\tGET %s/services\n", sites, sites) :
	    printf("sites\tGET %s/storage-areas/grafana\nsites\tGET "
	    "%s/storage-areas\nsites\tGET %s/services\n", sites, sites,
	    sites)) < 0;
}

static void
rucio_source_place(void *src, const char *how, struct placement *p)
{
	struct rucio_source	*s = src;
	const char		*ip = p->client_ip;

	if (s->geo == NULL) {
		snprintf(p->origin, sizeof(p->origin), "no GeoIP database; "
		    "replicas in Rucio's order");
		return;
	}
	switch (geo_locate(s->geo, ip, &p->choose.lat, &p->choose.lon)) {
	case GEO_OK:
		p->choose.located = 1;
		snprintf(p->origin, sizeof(p->origin), "%s %.64s", how, ip);
		break;
	case GEO_BADADDR:
		snprintf(p->origin, sizeof(p->origin), "%s is not an IP "
		    "address; replicas in Rucio's order", how);
		break;
	case GEO_UNKNOWN:
		snprintf(p->origin, sizeof(p->origin), "%s %.64s could not be "
		    "located; replicas in Rucio's order", how, ip);
		break;
	}
}

static enum upstream_status
rucio_source_replicas(void *src, struct http *h, const struct did *d,
    struct placement *p, struct replicas *out, char *err, size_t errsize)
{
	struct rucio_source	*s = src;
	enum upstream_status	 st;
	int			 stale;

	st = rucio_replicas(s->rucio, h, d, p->choose.schemes, &out->files,
	    err, errsize);
	if (st == UP_OK && out->files.n > 0)
		out->table = sites_get(s->sites, h, &stale);
	return st;
}

static enum upstream_status
rucio_source_meta(void *src, struct http *h, const struct did *d,
    json_t **meta, char *err, size_t errsize)
{
	return rucio_meta(((struct rucio_source *)src)->rucio, h, d, meta, err,
	    errsize);
}

static int
rucio_source_available(void *src, struct http *h, const char *service,
    char *note, size_t size)
{
	const struct sites_table	*t;
	int				 stale;

	/* The site directory is what every nearest answer needs. */
	t = sites_get(((struct rucio_source *)src)->sites, h, &stale);
	if (t == NULL)
		snprintf(note, size, "The site directory cannot be reached");
	else if (stale)
		snprintf(note, size, "The site directory cannot be reached; "
		    "serving the site table fetched before");
	else
		snprintf(note, size, "%s and the site directory are up",
		    service);
	return t != NULL;
}

const struct replica_source source_rucio = {
	.name = "rucio",
	.open = rucio_source_open,
	.close = rucio_source_close,
	.print = rucio_source_print,
	.place = rucio_source_place,
	.replicas = rucio_source_replicas,
	.meta = rucio_source_meta,
	.available = rucio_source_available,
};
