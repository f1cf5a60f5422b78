#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "choose.h"
#include "did.h"
#include "dlmeta.h"
#include "finder.h"
#include "http.h"
#include "links.h"
#include "linkset.h"
#include "log.h"
#include "params.h"
#include "replica_params.h"
#include "service.h"
#include "vosi.h"
#include "votable.h"

#define LINKS_MIME	VOT_MIME ";content=datalink"

enum {
	L_ID,
	L_SORT,
	L_CLIENT_IP,
	L_MUST_SODA,
	L_RANKING,
	L_ALL_REPLICAS,
	L_RESPONSEFORMAT,
	L_MAXREC,
	L__MAX
};

/* DataLink 1.1 §2.1 plus this service's own parameters (README.md). */
static const struct param_rule rules[L__MAX] = {
	[L_ID] = RULE_ID(0, 0),
	[L_SORT] = RULE_SORT,
	[L_CLIENT_IP] = RULE_CLIENT_IP,
	[L_MUST_SODA] = { .name = "must_include_soda", .type = PARAM_BOOL,
	    .max_count = 1 },
	[L_RANKING] = RULE_RANKING,
	[L_ALL_REPLICAS] = { .name = "all_replicas", .type = PARAM_BOOL,
	    .max_count = 1 },
	[L_RESPONSEFORMAT] = RULE_RESPONSEFORMAT,
	[L_MAXREC] = { .name = "MAXREC", .type = PARAM_INT, .max = 1e9,
	    .max_count = 1 },
};

struct links {
	const struct config	*cfg;
	struct http		*http;
	struct finder		*finder;
};

/* What one request asks for, after its parameters were checked. */
struct ask {
	struct placement	 p;
	long			 ranking;
	int			 all_replicas;
	long			 maxrec;
	int			 credentials;	/* the caller sent Authorization */
	const char		*format;	/* the Content-Type to answer in */
};

struct links *
links_new(const struct config *cfg, char *err, size_t errsize)
{
	struct links		*l;
	struct http_opts	 ho = { cfg->http.connect_timeout,
				    cfg->http.timeout, cfg->http.ca_file };

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	l->cfg = cfg;
	if ((l->finder = finder_new(cfg, err, errsize)) == NULL)
		goto fail;
	l->http = http_new(&ho);
	if (l->http == NULL) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	return l;
fail:
	links_free(l);
	return NULL;
}

void
links_free(struct links *l)
{
	if (l == NULL)
		return;
	http_free(l->http);
	finder_free(l->finder);
	free(l);
}

/*
 * link_auth for a replica at RSE ([links] link_auth_rses, else link_auth),
 * and link_authorized as DataLink 1.1 §3.2 means it: a link that needs no
 * credentials is usable by anyone; one that needs them is not usable by
 * an anonymous caller; for a caller who sent credentials only the storage
 * can tell (null).
 */
static void
set_auth(struct links *l, struct link_row *r, const char *rse, int creds)
{
	r->link_auth = config_link_auth(&l->cfg->links, rse);
	r->link_authorized = strcmp(r->link_auth, "true") != 0 ? 1 :
	    creds ? -1 : 0;
}

/*
 * A PFN as clients should see it: davs:// as https:// when configured, and
 * what a URI cannot hold raw (Rucio writes UTF-8 names as they are)
 * percent-encoded.
 */
static void
set_pfn(struct links *l, struct linkset *ls, struct link_row *r,
    const char *pfn)
{
	struct strbuf	 u = STRBUF_INIT;

	if (l->cfg->links.davs_to_https && strncasecmp(pfn, "davs://", 7) == 0) {
		if (strbuf_puts(&u, "https://") == -1)
			ls->failed = 1;
		pfn += 7;
	}
	if (http_url_encode(&u, pfn) == -1)
		ls->failed = 1;
	linkset_set(ls, &r->access_url, strbuf_str(&u));
	strbuf_free(&u);
}

static void
this_row(struct links *l, struct linkset *ls, const char *id,
    const struct candidate *c, const json_t *meta, long long bytes,
    const struct ask *a, const char *what)
{
	struct link_row	*r = linkset_row(ls, id, "#this");
	char		 desc[512], dist[64] = "";
	long long	 len;

	if (r == NULL)
		return;
	set_pfn(l, ls, r, c->pfn);
	if (a->p.choose.sort == CHOOSE_RANDOM)
		snprintf(desc, sizeof(desc), "%s at RSE %s, chosen at random",
		    what, c->rse->name);
	else {
		if (c->km >= 0)
			snprintf(dist, sizeof(dist), ", %.0f km from the client",
			    c->km);
		snprintf(desc, sizeof(desc), "%s at RSE %s%s (client position: "
		    "%s)", what, c->rse->name, dist, a->p.origin);
	}
	linkset_set(ls, &r->description, desc);
	linkset_set(ls, &r->content_type, dlmeta_string(meta, "content_type"));
	r->content_length = (len = dlmeta_length(meta)) >= 0 ? len : bytes;
	set_auth(l, r, c->rse->name, a->credentials);
}

/* The rows the metadata's "datalinks" list adds. */
static void
extra_rows(struct linkset *ls, const char *id, const json_t *meta)
{
	json_t		*list = dlmeta_datalinks(meta), *d;
	struct link_row	*r;
	size_t		 i;
	const char	*url, *sem;

	json_array_foreach(list, i, d) {
		url = dlmeta_string(d, "access_url");
		sem = dlmeta_string(d, "semantics");
		if (url == NULL || sem == NULL || (r = linkset_row(ls, id, sem)) == NULL)
			continue;
		linkset_set(ls, &r->access_url, url);
		linkset_set(ls, &r->description, dlmeta_string(d, "description"));
		linkset_set(ls, &r->content_type, dlmeta_string(d, "content_type"));
	}
	json_decref(list);
}

static void
cutout_row(struct linkset *ls, const char *id, const char *service,
    const char *what)
{
	struct link_row	*r;

	if (service == NULL || (r = linkset_row(ls, id, "#cutout")) == NULL)
		return;
	linkset_set(ls, &r->service_def, service);
	linkset_set(ls, &r->description, what);
}

/* #cutout rows and descriptors for the SODA services beside the replica. */
static void
soda_rows(struct links *l, struct linkset *ls, const char *id,
    const struct rucio_file *f, const struct candidate *c)
{
	struct did	 d;
	char		 ivoid[DID_STR_MAX + 300], didtext[DID_STR_MAX], err[128];

	snprintf(didtext, sizeof(didtext), "%s:%s", f->scope, f->name);
	if (*l->cfg->links.soda_proxy_url != '\0') {
		cutout_row(ls, id, linkset_service(ls, 0,
		    l->cfg->links.soda_proxy_url, NULL, didtext),
		    "SODA cutout through this service's proxy");
		return;
	}
	/* The sites' SODA services expect the deterministic path (§5.6). */
	if (c->site == NULL || did_parse(didtext, &d, err, sizeof(err)) == -1 ||
	    did_ivoid(&d, l->cfg->links.ivoa_authority, ivoid,
	    sizeof(ivoid)) == NULL)
		return;
	if (c->site->nsync > 0)
		cutout_row(ls, id, linkset_service(ls, 0, c->site->sync[0].url,
		    c->site->sync[0].ivoid, ivoid), "SODA synchronous cutout at "
		    "the replica's site");
	if (c->site->nasync > 0)
		cutout_row(ls, id, linkset_service(ls, 1, c->site->async[0].url,
		    c->site->async[0].ivoid, ivoid), "SODA asynchronous cutout at "
		    "the replica's site");
}

/* DataLink's label for each way finding or choosing a replica fails. */
static const char *const fault_labels[] = {
	[FIND_UNAVAILABLE] = "TransientFault",
	[FIND_REFUSED] = "FatalFault",
	[FIND_NO_DID] = "NotFoundFault",
	[FIND_NO_SITES] = "TransientFault",
	[FIND_NO_REPLICA] = "NotFoundFault",
	[FIND_RANKING] = "UsageFault",
	[FIND_NOMEM] = "FatalFault",
};

static void
file_rows(struct links *l, struct linkset *ls, const char *id,
    const struct rucio_file *f, const struct replicas *rep,
    const json_t *meta, const struct ask *a)
{
	struct candidate	*c;
	enum find_fault		 fault;
	int			 n;
	char			 msg[256];

	if ((fault = finder_choose(f, rep, &a->p, a->ranking, &c, &n, msg,
	    sizeof(msg))) != FIND_OK) {
		linkset_fault(ls, id, fault_labels[fault], msg);
		return;
	}
	this_row(l, ls, id, &c[a->ranking], meta, f->bytes, a, "Replica");
	for (int i = 0; a->all_replicas && i < n; i++)
		if (i != a->ranking)
			this_row(l, ls, id, &c[i], meta, f->bytes, a,
			    "Another replica");
	if (a->p.choose.must_soda)
		soda_rows(l, ls, id, f, &c[a->ranking]);
	free(c);
}

/* Is F the DID itself, not a file of a dataset or container? */
static int
is_the_did(const struct did *d, const struct rucio_file *f)
{
	return strcmp(f->scope, d->scope) == 0 && strcmp(f->name, d->name) == 0;
}

/* Every row for one ID, in one group (DataLink 1.1 §3.2). */
static void
id_rows(struct links *l, struct linkset *ls, const char *id, struct ask *a)
{
	struct did		 d;
	struct replicas		 rep;
	json_t			*meta;
	enum find_fault		 fault;
	char			 err[512];

	if (did_parse(id, &d, err, sizeof(err)) == -1) {
		linkset_fault(ls, id, "UsageFault", err);
		return;
	}
	if ((fault = finder_find(l->finder, l->http, &d, &a->p, &rep, err,
	    sizeof(err))) != FIND_OK) {
		linkset_fault(ls, id, fault_labels[fault], err);
		replicas_release(&rep);
		return;
	}
	meta = finder_meta(l->finder, l->http, &d);
	/*
	 * The DID's content type and length describe the DID: a file of a
	 * dataset or container has its own (Rucio's bytes).  Rows past
	 * MAXREC would be dropped with the whole ID.
	 */
	for (int i = 0; i < rep.files.n && ls->nrows <= a->maxrec; i++)
		file_rows(l, ls, id, &rep.files.v[i], &rep,
		    is_the_did(&d, &rep.files.v[i]) ? meta : NULL, a);
	extra_rows(ls, id, meta);
	json_decref(meta);
	replicas_release(&rep);
}

/* Whole-request checks; -1 after writing the DALI error document. */
static int
read_ask(struct links *l, const struct request *req, const struct params *p,
    struct ask *a, struct response *r)
{
	const struct param_value	*v;

	memset(a, 0, sizeof(*a));
	a->p.choose.sort = (v = params_get(p, L_SORT)) != NULL ?
	    (enum choose_sort)v->i : CHOOSE_NEAREST;
	v = params_get(p, L_RESPONSEFORMAT);
	if ((a->format = vot_format_type(v != NULL ? v->raw : NULL,
	    LINKS_MIME)) == NULL) {
		vot_error(r, 400, VOT_MIME, "UsageFault: RESPONSEFORMAT: "
		    VOT_FORMAT_REFUSED, 0);
		return -1;
	}
	a->p.choose.must_soda = (v = params_get(p, L_MUST_SODA)) != NULL && v->b;
	a->credentials = request_env(req, "HTTP_AUTHORIZATION") != NULL;
	a->all_replicas = (v = params_get(p, L_ALL_REPLICAS)) != NULL && v->b;
	a->ranking = (v = params_get(p, L_RANKING)) != NULL ? (long)v->i : 0;
	a->maxrec = (v = params_get(p, L_MAXREC)) != NULL ? (long)v->i :
	    l->cfg->links.maxrec_default;
	/* DALI 1.1 §3.2.3: a MAXREC above the limit gets the limit. */
	if (a->maxrec > l->cfg->links.maxrec_limit)
		a->maxrec = l->cfg->links.maxrec_limit;
	if (a->p.choose.sort == CHOOSE_NEAREST)
		finder_place(l->finder, req, (v = params_get(p, L_CLIENT_IP)) !=
		    NULL ? v->raw : NULL, &a->p);
	return 0;
}

static void
links_query(struct links *l, const struct request *req, struct response *r)
{
	struct params		 p;
	struct ask		 a;
	struct linkset		 ls;
	const struct param_value *ids;
	char			 msg[300], why[256];
	int			 nids, before, nsvc;

	memset(&ls, 0, sizeof(ls));
	if (params_parse(&p, req, rules, L__MAX,
	    (size_t)l->cfg->request.max_params) !=
	    PARAMS_OK) {
		snprintf(msg, sizeof(msg), "%s: %s", p.err == PARAMS_ENOMEM ?
		    "FatalFault" : "UsageFault", params_error(&p, why,
		    sizeof(why)));
		vot_error(r, p.err == PARAMS_EBODY ? 413 : p.err ==
		    PARAMS_ENOMEM ? 500 : 400, VOT_MIME, msg, 0);
		goto out;
	}
	if (read_ask(l, req, &p, &a, r) == -1)
		goto out;
	ids = params_get(&p, L_ID);
	nids = (int)params_count(&p, L_ID);
	http_deadline(l->http, l->cfg->links.request_timeout);
	for (int i = 0; i < nids; i++) {
		/* DataLink 1.1 §2.2: cap the IDs, never split one ID's rows. */
		if (i == l->cfg->links.max_ids) {
			ls.overflow = 1;
			break;
		}
		before = ls.nrows;
		nsvc = ls.nservices;
		if (http_time_left(l->http) <= 0)
			linkset_fault(&ls, ids[i].raw, "TransientFault", "not "
			    "looked up: the request ran out of time; ask for "
			    "this ID again");
		else
			id_rows(l, &ls, ids[i].raw, &a);
		if (ls.nrows > a.maxrec) {
			/* This ID went past MAXREC: it goes whole. */
			linkset_truncate(&ls, before, nsvc);
			ls.overflow = 1;
			break;
		}
	}
	http_deadline(l->http, 0);
	/* A set that ran out of memory may miss rows: never send it as whole. */
	if (ls.failed)
		vot_error(r, 500, VOT_MIME, "FatalFault: the service ran out of "
		    "memory", 0);
	else if (linkset_all_transient(&ls))
		vot_error(r, 503, VOT_MIME, "TransientFault: the upstream "
		    "services did not answer; try again later", 0);
	else
		linkset_write(&ls, r, a.format);
out:
	linkset_free(&ls);
	params_free(&p);
}

/* The query, timed: the log line shows the program's own time apart. */
static void
links_endpoint(void *state, const struct request *req, struct response *r)
{
	struct links	*l = state;

	http_spent_ms(l->http, 1);
	links_query(l, req, r);
	snprintf(r->note, sizeof(r->note), "upstream %.3fms",
	    http_spent_ms(l->http, 0));
}

static void
links_refuse(struct response *r, int status, const char *text)
{
	char	 msg[256];

	snprintf(msg, sizeof(msg), "UsageFault: %s", text);
	vot_error(r, status, VOT_MIME, msg, 0);
}

static void *
links_start(const struct config *cfg, char *err, size_t errsize)
{
	return links_new(cfg, err, errsize);
}

static void
links_stop(void *l)
{
	links_free(l);
}

static int
links_check(void *state)
{
	return finder_print(((struct links *)state)->cfg);
}

static const char *
links_public_url(void *state)
{
	return ((struct links *)state)->cfg->links.public_url;
}

static void
links_capability(void *state, const char *base, struct vosi_capability *cap,
    char *url, size_t urlsize)
{
	(void)state;
	snprintf(url, urlsize, "%s", base);
	cap->standard_id = "ivo://ivoa.net/std/DataLink#links-1.1";
	cap->access_url = url;
}

static int
links_available(void *state, char *note, size_t size)
{
	struct links	*l = state;

	return finder_available(l->finder, l->http, "The DataLink service",
	    note, size);
}

static const struct route links_routes[] = {
	{ NULL, ROUTE_GET | ROUTE_POST, links_endpoint },
	{ NULL, 0, NULL }
};

const struct service links_service = {
	.program = "links.fcgi",
	.prog = PROG_LINKS,
	.version = RIF_VERSION,
	.start = links_start,
	.stop = links_stop,
	.check = links_check,
	.routes = links_routes,
	.refuse = links_refuse,
	.public_url = links_public_url,
	.capability = links_capability,
	.available = links_available,
};
