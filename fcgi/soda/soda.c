#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cut.h"
#include "finder.h"
#include "log.h"
#include "relay.h"
#include "soda.h"
#include "vosi.h"

struct soda {
	const struct config	*cfg;
	struct http		*http;	/* Rucio, the site directory, the DM API */
	struct http		*sites;	/* the SODA services */
	struct finder		*finder;
	enum soda_id_form	 id_form;	/* [soda] id_form */
	char			*public_base;	/* [soda] public_url less /sync */
};

struct soda *
soda_new(const struct config *cfg, char *err, size_t errsize)
{
	struct soda		*s;
	struct http_opts	 ho = { cfg->http.connect_timeout,
				    cfg->http.timeout, cfg->http.ca_file };

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	s->id_form = cfg->soda.id_form;
	if ((s->finder = finder_new(cfg, err, errsize)) == NULL)
		goto fail;
	s->http = http_new(&ho);
	s->sites = http_new(&ho);
	/* public_url names the sync endpoint; its VOSI resources sit beside. */
	s->public_base = strndup(cfg->soda.public_url,
	    strrchr(cfg->soda.public_url, '/') != NULL ?
	    (size_t)(strrchr(cfg->soda.public_url, '/') - cfg->soda.public_url) :
	    0);
	if (s->http == NULL || s->sites == NULL || s->public_base == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	return s;
fail:
	soda_free(s);
	return NULL;
}

void
soda_free(struct soda *s)
{
	if (s == NULL)
		return;
	http_free(s->http);
	http_free(s->sites);
	finder_free(s->finder);
	free(s->public_base);
	free(s);
}

/* SODA 1.0 §5: a text/plain document that starts with its label. */
static void
soda_error(struct response *r, int status, const char *text)
{
	resp_status(r, status);
	resp_content_type(r, "text/plain;charset=UTF-8");
	resp_printf(r, "%s\n", text);
}

/*
 * The upstream URLs for the candidates C[0 .. n-1] into URLS: each
 * replica's first SODA sync service, each service once (RSEs of one site
 * share it).  Returns how many, or -1 after answering R.
 */
static int
collect_urls(struct soda *s, const struct soda_cut *c,
    const struct candidate *cand, int n, char **urls, int max,
    struct response *r)
{
	struct strbuf	 u = STRBUF_INIT;
	const char	*svc;
	int		 k = 0, seen;

	for (int i = 0; i < n && k < max; i++) {
		svc = cand[i].site->sync[0].url;
		seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(cand[j].site->sync[0].url, svc) == 0;
		if (seen)
			continue;
		strbuf_reset(&u);
		if (soda_cut_url(c, svc, s->id_form,
		    s->cfg->links.ivoa_authority, &u) == -1 ||
		    (urls[k] = strdup(strbuf_str(&u))) == NULL) {
			strbuf_free(&u);
			while (k > 0)
				free(urls[--k]);
			soda_error(r, 500, "Error: out of memory");
			return -1;
		}
		k++;
	}
	strbuf_free(&u);
	return k;
}

/*
 * The sites' SODA sync services that could cut C's dataset, nearest (or as
 * the request asks) first, from the ranking-th on; at most MAX, each once.
 * Returns how many URLs went into URLS (owned by the caller), or -1 after
 * answering R.
 */
static int
find_services(struct soda *s, const struct request *req, struct soda_cut *c,
    char **urls, int max, struct response *r)
{
	/* SODA's status and label for each way finding a replica fails. */
	static const struct {
		int		 status;
		const char	*label;
	} faults[] = {
		[FIND_UNAVAILABLE] = { 503, "ServiceUnavailable" },
		[FIND_REFUSED] = { 500, "Error" },
		[FIND_NO_DID] = { 404, "UsageError" },
		[FIND_NO_SITES] = { 503, "ServiceUnavailable" },
		[FIND_NO_REPLICA] = { 404, "UsageError" },
		[FIND_RANKING] = { 400, "UsageError" },
		[FIND_NOMEM] = { 500, "Error" },
	};
	struct placement	 p;
	struct replicas		 rep;
	struct candidate	*cand = NULL;
	enum find_fault		 fault;
	char			 err[DID_STR_MAX + 200];
	char			 msg[DID_STR_MAX + 240];
	int			 n = -1, nc;

	memset(&p, 0, sizeof(p));
	p.choose.sort = c->sort;
	p.choose.must_soda = 1;
	if (c->sort == CHOOSE_NEAREST)
		finder_place(s->finder, req, c->client_ip, &p);
	if ((fault = finder_find(s->finder, s->http, &c->did, &p, &rep, err,
	    sizeof(err))) == FIND_OK && rep.files.n > 1) {
		snprintf(msg, sizeof(msg), "UsageError: %s:%s is a collection "
		    "of files; SODA cuts one file", c->did.scope, c->did.name);
		soda_error(r, 400, msg);
		goto out;
	}
	if (fault == FIND_OK)
		fault = finder_choose(&rep.files.v[0], &rep, &p, c->ranking,
		    &cand, &nc, err, sizeof(err));
	if (fault != FIND_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", faults[fault].label, err);
		soda_error(r, faults[fault].status, msg);
		goto out;
	}
	n = collect_urls(s, c, cand + c->ranking, nc - (int)c->ranking, urls,
	    max, r);
out:
	free(cand);
	replicas_release(&rep);
	return n;
}

/* SODA 1.0 sync: check everything, find the sites, relay or redirect. */
static void
soda_sync(void *state, const struct request *req, struct response *r)
{
	struct soda		*s = state;
	struct soda_cut		 c;
	struct soda_refusal	 why;
	struct relay_opts	 o = { s->cfg->soda.first_byte_timeout,
				    s->cfg->soda.stall_timeout,
				    s->cfg->soda.min_rate,
				    request_env(req, "HTTP_AUTHORIZATION"),
				    s->cfg->soda.unsafe_plain_http_tokens };
	char			*urls[SODA_TRIES_MAX];
	int			 n = 0;

	if (soda_cut_parse(&c, req, (size_t)s->cfg->request.max_params,
	    &why) == -1) {
		soda_error(r, why.status, why.text);
		goto out;
	}
	/* A redirect names one site; a relay may fail over to more. */
	if ((n = find_services(s, req, &c, urls, s->cfg->soda.failover &&
	    !s->cfg->soda.redirect ? (int)s->cfg->soda.max_tries : 1, r)) <= 0)
		goto out;
	if (s->cfg->soda.redirect) {
		if (resp_header(r, "Location", urls[0]) == -1) {
			soda_error(r, 414, "UsageError: the cutout URL is too "
			    "long to redirect to");
			goto out;
		}
		resp_status(r, 303);
		resp_printf(r, "See Other: %.900s\n", urls[0]);
		goto out;
	}
	relay_run(s->sites, &o, (const char *const *)urls, n, r);
out:
	while (n > 0)
		free(urls[--n]);
	soda_cut_free(&c);
}

/* A refusal of the proxy's own: SODA's UsageError label. */
static void
soda_refuse(struct response *r, int status, const char *text)
{
	char	 msg[256];

	snprintf(msg, sizeof(msg), "UsageError: %s", text);
	soda_error(r, status, msg);
}

static void *
soda_start(const struct config *cfg, char *err, size_t errsize)
{
	return soda_new(cfg, err, errsize);
}

static void
soda_stop(void *s)
{
	soda_free(s);
}

static int
soda_check(void *state)
{
	return finder_print(((struct soda *)state)->cfg);
}

static const char *
soda_public_url(void *state)
{
	return ((struct soda *)state)->public_base;
}

static void
soda_capability(void *state, const char *base, struct vosi_capability *cap,
    char *url, size_t urlsize)
{
	const char	*pub = ((struct soda *)state)->cfg->soda.public_url;

	if (*pub != '\0')
		snprintf(url, urlsize, "%s", pub);
	else
		snprintf(url, urlsize, "%s/sync", base);
	cap->standard_id = "ivo://ivoa.net/std/SODA#sync-1.0";
	cap->access_url = url;
}

static int
soda_available(void *state, char *note, size_t size)
{
	struct soda	*s = state;

	return finder_available(s->finder, s->http, "The SODA proxy", note,
	    size);
}

static const struct route soda_routes[] = {
	{ "sync", ROUTE_GET | ROUTE_POST, soda_sync },
	{ NULL, 0, NULL }
};

const struct service soda_service = {
	.program = "soda-proxy.fcgi",
	.prog = PROG_SODA,
	.version = RIF_VERSION,
	.start = soda_start,
	.stop = soda_stop,
	.check = soda_check,
	.routes = soda_routes,
	.refuse = soda_refuse,
	.public_url = soda_public_url,
	.capability = soda_capability,
	.available = soda_available,
};
