#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dmapi.h"
#include "finder.h"
#include "geo.h"
#include "log.h"
#include "oauth2.h"
#include "ttlcache.h"

/* Metadata of this many DIDs is kept (each in its own slot). */
#define META_SLOTS	4096
/* [links] schemes may name this many. */
#define SCHEMES_MAX	8

struct finder {
	struct rucio	*rucio;
	struct sites	*sites;
	struct oauth2	*oauth2;	/* the dm backend's token */
	struct dmapi	*dm;		/* NULL: the rucio backend */
	struct geo	*geo;
	struct ttlcache	*meta;		/* NULL: [links] meta_ttl 0 */
	char		*scheme_text;	/* [links] schemes, cut into: */
	const char	*schemes[SCHEMES_MAX + 1];	/* preferred first */
};

/* [links] schemes into F->schemes.  -1 with ERR. */
static int
schemes_new(struct finder *f, const char *text, char *err, size_t errsize)
{
	char	*tok, *save;
	int	 n = 0;

	if ((f->scheme_text = strdup(text)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (tok = strtok_r(f->scheme_text, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		if (n == SCHEMES_MAX) {
			snprintf(err, errsize, "[links] schemes: more than %d",
			    SCHEMES_MAX);
			return -1;
		}
		f->schemes[n++] = tok;
	}
	return 0;
}

/* The replica source [links] backend names.  -1 with ERR. */
static int
backend_new(struct finder *f, const struct config *cfg, char *err,
    size_t errsize)
{
	struct oauth2_opts	 oo = { cfg->oauth2_token_url,
				    cfg->oauth2_client_id,
				    cfg->oauth2_client_secret, cfg->oauth2_scope,
				    cfg->oauth2_audience };
	struct oauth2_opts	 rco = { cfg->oauth2_token_url,
				    cfg->rucio_oauth2_client_id,
				    cfg->rucio_oauth2_client_secret,
				    cfg->rucio_oauth2_scope,
				    cfg->rucio_oauth2_audience };
	struct oauth2_opts	 sco = { cfg->oauth2_token_url,
				    cfg->sites_oauth2_client_id,
				    cfg->sites_oauth2_client_secret,
				    cfg->sites_oauth2_scope,
				    cfg->sites_oauth2_audience };
	struct rucio_opts	 ro = { cfg->rucio_url, cfg->rucio_account,
				    cfg->rucio_username, cfg->rucio_password,
				    cfg->rucio_token_file,
				    *rco.client_id != '\0' ? &rco : NULL };
	struct sites_opts	 so = { cfg->sites_url, cfg->sites_2023 ?
				    SITES_2023 : SITES_SCAPI, cfg->sites_token,
				    *sco.client_id != '\0' ? &sco : NULL,
				    cfg->sites_ttl };

	if (cfg->links_backend_dm) {
		if (*cfg->dm_url == '\0' || *cfg->oauth2_token_url == '\0' ||
		    *cfg->oauth2_client_id == '\0') {
			snprintf(err, errsize, "[dm] url, [oauth2] token_url and "
			    "client_id are required");
			return -1;
		}
		f->oauth2 = oauth2_new(&oo);
		f->dm = f->oauth2 != NULL ? dmapi_new(cfg->dm_url, f->oauth2) :
		    NULL;
	} else {
		if (*cfg->rucio_url == '\0' || *cfg->sites_url == '\0') {
			snprintf(err, errsize, "[rucio] url and [sites] url are "
			    "required");
			return -1;
		}
		if (*cfg->rucio_username == '\0' &&
		    *cfg->rucio_token_file == '\0' && ro.oauth2 == NULL) {
			snprintf(err, errsize, "[rucio] username, "
			    "token_file or oauth2_client_id is required");
			return -1;
		}
		f->rucio = rucio_new(&ro);
		f->sites = sites_new(&so);
	}
	if (cfg->links_backend_dm ? f->dm == NULL : !f->rucio || !f->sites) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	return 0;
}

struct finder *
finder_new(const struct config *cfg, char *err, size_t errsize)
{
	struct finder	*f;

	/* Once per process, before any handle: libcurl counts the calls. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		snprintf(err, errsize, "cannot initialise libcurl");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errsize, "out of memory");
		curl_global_cleanup();
		return NULL;
	}
	/* The order of sort=random: workers started together must not agree. */
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	if (schemes_new(f, cfg->links_schemes, err, errsize) == -1 ||
	    backend_new(f, cfg, err, errsize) == -1 ||
	    (*cfg->geoip_database != '\0' &&
	    (f->geo = geo_open(cfg->geoip_database, err, errsize)) == NULL)) {
		finder_free(f);
		return NULL;
	}
	if (cfg->links_meta_ttl > 0 &&
	    (f->meta = ttlcache_new(META_SLOTS, cfg->links_meta_ttl)) == NULL) {
		snprintf(err, errsize, "out of memory");
		finder_free(f);
		return NULL;
	}
	return f;
}

void
finder_free(struct finder *f)
{
	if (f == NULL)
		return;
	rucio_free(f->rucio);
	sites_free(f->sites);
	dmapi_free(f->dm);
	oauth2_free(f->oauth2);
	geo_close(f->geo);
	ttlcache_free(f->meta);
	free(f->scheme_text);
	free(f);
	curl_global_cleanup();
}

void
finder_place(struct finder *f, const struct request *req,
    const char *param_ip, struct placement *p)
{
	const char	*peer = request_env(req, "REALIP_REMOTE_ADDR");
	const char	*ip, *how;

	if (param_ip != NULL) {
		ip = param_ip;
		how = "client_ip_address";
	} else {
		ip = req->remote_addr;
		how = peer != NULL && strcmp(peer, ip) != 0 ?
		    "the forwarded client address" : "the client address";
	}
	p->client_ip = ip;
	if (f->dm != NULL) {
		/* The data-management API sorts by the address itself. */
		snprintf(p->origin, sizeof(p->origin), "ordered by the "
		    "data-management API from %s %.64s", how, ip);
		return;
	}
	if (f->geo == NULL) {
		snprintf(p->origin, sizeof(p->origin), "no GeoIP database; "
		    "replicas in Rucio's order");
		return;
	}
	switch (geo_locate(f->geo, ip, &p->choose.lat, &p->choose.lon)) {
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

enum upstream_status
finder_replicas(struct finder *f, struct http *h, const struct did *d,
    struct placement *p, struct rucio_files *files,
    const struct sites_table **table, struct sites_table **own, char *err,
    size_t errsize)
{
	enum upstream_status	 st;
	const char		*sorted;
	int			 stale;

	*own = NULL;
	*table = NULL;
	p->choose.schemes = f->schemes[0] != NULL ? f->schemes : NULL;
	if (f->dm == NULL) {
		if ((st = rucio_replicas(f->rucio, h, d, p->choose.schemes,
		    files, err, errsize)) == UP_OK && files->n > 0)
			*table = sites_get(f->sites, h, &stale);
		return st;
	}
	st = dmapi_locate(f->dm, h, d, p->choose.sort == CHOOSE_RANDOM ?
	    "random" : "nearest_by_ip", p->client_ip, files, own, &sorted, err,
	    errsize);
	if (st == UP_OK && p->choose.sort == CHOOSE_NEAREST &&
	    strcmp(sorted, "random") == 0)
		snprintf(p->origin, sizeof(p->origin), "the data-management API "
		    "could not place %.64s; replicas in random order",
		    p->client_ip);
	*table = *own;
	return st;
}

json_t *
finder_meta(struct finder *f, struct http *h, const struct did *d)
{
	json_t	*meta = NULL, *kept;
	char	 err[256], key[DID_STR_MAX];

	did_str(d, key, sizeof(key));
	if (f->meta != NULL && (kept = ttlcache_get(f->meta, key)) != NULL) {
		if (json_is_null(kept)) {	/* known to have none */
			json_decref(kept);
			return NULL;
		}
		return kept;
	}
	if ((f->dm != NULL ? dmapi_meta(f->dm, h, d, &meta, err, sizeof(err)) :
	    rucio_meta(f->rucio, h, d, &meta, err, sizeof(err))) != UP_OK) {
		log_warn("metadata of %s:%s: %s", d->scope, d->name, err);
		return NULL;	/* not kept: the next request asks again */
	}
	if (f->meta != NULL)
		ttlcache_put(f->meta, key, meta != NULL ? meta : json_null());
	return meta;
}

int
finder_available(struct finder *f, struct http *h, const char *service,
    char *note, size_t size)
{
	const struct sites_table	*t;
	int				 stale, transient;
	char				 err[256];

	if (f->dm != NULL) {
		int up = oauth2_token(f->oauth2, h, &transient, err,
		    sizeof(err)) != NULL;

		if (up)
			snprintf(note, size, "%s and the token endpoint of the "
			    "data-management API are up", service);
		else
			snprintf(note, size, "The token endpoint of the "
			    "data-management API cannot be reached");
		return up;
	}
	/* The site directory is what every nearest answer needs. */
	t = sites_get(f->sites, h, &stale);
	if (t == NULL)
		snprintf(note, size, "The site directory cannot be reached");
	else if (stale)
		snprintf(note, size, "The site directory cannot be reached; "
		    "serving the site table fetched before");
	else
		snprintf(note, size, "%s and the site directory are up", service);
	return t != NULL;
}

int
finder_print(const struct config *cfg)
{
	const char	*sites = cfg->sites_url;

	if (cfg->links_backend_dm)
		return printf("locate\tGET %s/data/locate/{scope}/{name}\n"
		    "metadata\tGET %s/metadata/{scope}/{name}\n"
		    "token\tPOST %s\n", cfg->dm_url, cfg->dm_url,
		    cfg->oauth2_token_url) < 0;
	if (printf("replicas\tPOST %s/replicas/list\n"
	    "metadata\tGET %s/dids/{scope}/{name}/meta?plugin=POSTGRES_JSON\n",
	    cfg->rucio_url, cfg->rucio_url) < 0)
		return 1;
	if (*cfg->rucio_oauth2_client_id != '\0' ||
	    *cfg->sites_oauth2_client_id != '\0')
		printf("token\tPOST %s\n", cfg->oauth2_token_url);
	if (*cfg->rucio_username != '\0')
		printf("token\tGET %s/auth/userpass\n", cfg->rucio_url);
	return (cfg->sites_2023 ? printf("sites\tGET %s/storages/grafana\n"
	    "sites\tGET %s/services\n", sites, sites) :
	    printf("sites\tGET %s/storage-areas/grafana\nsites\tGET "
	    "%s/storage-areas\nsites\tGET %s/services\n", sites, sites,
	    sites)) < 0;
}
