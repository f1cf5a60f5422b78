#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "finder.h"
#include "log.h"
#include "ttlcache.h"

/* Metadata of this many DIDs is kept (each in its own slot). */
#define META_SLOTS	4096
/* [links] schemes may name this many. */
#define SCHEMES_MAX	8

struct finder {
	const struct replica_source *src;
	void		*state;		/* the source's */
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

static const struct replica_source *
source_of(const struct config *cfg)
{
	return cfg->links.backend == BACKEND_DM ? &source_dm : &source_rucio;
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
	f->src = source_of(cfg);
	if (schemes_new(f, cfg->links.schemes, err, errsize) == -1 ||
	    (f->state = f->src->open(cfg, err, errsize)) == NULL) {
		finder_free(f);
		return NULL;
	}
	if (cfg->links.meta_ttl > 0 &&
	    (f->meta = ttlcache_new(META_SLOTS, cfg->links.meta_ttl)) == NULL) {
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
	if (f->state != NULL)
		f->src->close(f->state);
	ttlcache_free(f->meta);
	free(f->scheme_text);
	free(f);
	curl_global_cleanup();
}

int
finder_print(const struct config *cfg)
{
	return source_of(cfg)->print(cfg);
}

void
replicas_release(struct replicas *r)
{
	sites_table_free(r->own);
	rucio_files_free(&r->files);
	memset(r, 0, sizeof(*r));
}

void
finder_place(struct finder *f, const struct request *req,
    const char *param_ip, struct placement *p)
{
	const char	*peer = request_env(req, "REALIP_REMOTE_ADDR");
	const char	*how;

	if (param_ip != NULL) {
		p->client_ip = param_ip;
		how = "client_ip_address";
	} else {
		p->client_ip = req->remote_addr;
		how = peer != NULL && strcmp(peer, p->client_ip) != 0 ?
		    "the forwarded client address" : "the client address";
	}
	f->src->place(f->state, how, p);
}

enum find_fault
finder_find(struct finder *f, struct http *h, const struct did *d,
    struct placement *p, struct replicas *out, char *msg, size_t msgsize)
{
	enum upstream_status	 st;
	char			 err[512];

	memset(out, 0, sizeof(*out));
	p->choose.schemes = f->schemes[0] != NULL ? f->schemes : NULL;
	st = f->src->replicas(f->state, h, d, p, out, err, sizeof(err));
	if (st != UP_OK) {
		log_error("replicas of %s:%s: %s", d->scope, d->name, err);
		snprintf(msg, msgsize, st == UP_TRANSIENT ? "the replica "
		    "catalogue did not answer; try again later" : "the replica "
		    "catalogue refused the request or gave an answer that "
		    "cannot be read");
		return st == UP_TRANSIENT ? FIND_UNAVAILABLE : FIND_REFUSED;
	}
	if (out->files.n == 0) {
		snprintf(msg, msgsize, "no such DID, or no replica of it: "
		    "%s:%s", d->scope, d->name);
		return FIND_NO_DID;
	}
	if (out->table == NULL && (p->choose.must_soda ||
	    p->choose.sort == CHOOSE_NEAREST)) {
		snprintf(msg, msgsize, "the site directory did not answer; try "
		    "again later");
		return FIND_NO_SITES;
	}
	return FIND_OK;
}

enum find_fault
finder_choose(const struct rucio_file *f, const struct replicas *r,
    const struct placement *p, long ranking, struct candidate **cand,
    int *n, char *msg, size_t msgsize)
{
	if ((*cand = calloc((size_t)f->nrses + 1, sizeof(**cand))) == NULL) {
		snprintf(msg, msgsize, "out of memory");
		return FIND_NOMEM;
	}
	if ((*n = choose_replicas(f, r->table, &p->choose, *cand)) == 0)
		snprintf(msg, msgsize, "no replica of %s:%s %s", f->scope,
		    f->name, p->choose.must_soda ? "has a SODA service beside "
		    "it" : "is in an accepted scheme");
	else if (ranking >= *n)
		snprintf(msg, msgsize, "ranking %ld asked, but %s:%s has %d "
		    "usable replica%s", ranking, f->scope, f->name, *n,
		    *n == 1 ? "" : "s");
	else
		return FIND_OK;
	free(*cand);
	*cand = NULL;
	return *n == 0 ? FIND_NO_REPLICA : FIND_RANKING;
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
	if (f->src->meta(f->state, h, d, &meta, err, sizeof(err)) != UP_OK) {
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
	return f->src->available(f->state, h, service, note, size);
}
