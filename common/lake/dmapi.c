#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authed.h"
#include "dmapi.h"
#include "log.h"

struct dmapi {
	char		*url;
	struct oauth2	*auth;
};

struct dmapi *
dmapi_new(const char *base_url, struct oauth2 *auth)
{
	struct dmapi	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->auth = auth;
	if ((d->url = http_base_url(base_url)) == NULL) {
		free(d);
		return NULL;
	}
	return d;
}

void
dmapi_free(struct dmapi *d)
{
	if (d == NULL)
		return;
	free(d->url);
	free(d);
}

/* GET URL with the Bearer token, renewing it once on a 401. */
static enum upstream_status
call(struct dmapi *d, struct http *h, const char *url, struct http_reply *rep,
    char *err, size_t errsize)
{
	const char		*hdrs[] = { "Accept: application/json", NULL };
	struct token_source	 src = token_oauth2(d->auth);

	return authed_call(h, &src, "Authorization: Bearer ",
	    "data-management API", "GET", url, hdrs, NULL, rep, err, errsize);
}

/* base/ROUTE/scope/name: the name with raw '/', as the API routes it. */
static int
did_url(struct strbuf *b, const struct dmapi *d, const char *route,
    const struct did *did)
{
	return strbuf_printf(b, "%s/%s", d->url, route) == -1 ||
	    http_add_segment(b, did->scope) == -1 ||
	    http_add_path(b, did->name) == -1 ? -1 : 0;
}

static enum upstream_status
locate_once(struct dmapi *d, struct http *h, const struct did *did,
    const char *sort, const char *ip, struct rucio_files *files,
    struct sites_table **services, char *err, size_t errsize)
{
	struct strbuf		 url = STRBUF_INIT;
	struct http_reply	 rep;
	enum upstream_status	 st;

	memset(files, 0, sizeof(*files));
	*services = NULL;
	if (did_url(&url, d, "data/locate", did) == -1 ||
	    strbuf_printf(&url, "?sort=%s&colocated_services=soda_sync,"
	    "soda_async", sort) == -1 || (ip != NULL &&
	    (strbuf_puts(&url, "&ip_address=") == -1 ||
	    http_escape(&url, ip) == -1))) {
		strbuf_free(&url);
		snprintf(err, errsize, "cannot build the /data/locate URL");
		return UP_TRANSIENT;
	}
	st = call(d, h, strbuf_str(&url), &rep, err, errsize);
	strbuf_free(&url);
	if (st != UP_OK)
		return st;
	if (rep.status == 404)
		st = UP_OK;	/* no such DID: no files */
	else if (rep.status != 200)
		st = authed_unexpected(rep.status,
		    "data-management API /data/locate", err, errsize);
	else if (dmapi_parse_locate(strbuf_str(&rep.body), did, files, services,
	    err, errsize) == -1)
		st = UP_FATAL;
	http_reply_free(&rep);
	return st;
}

enum upstream_status
dmapi_locate(struct dmapi *d, struct http *h, const struct did *did,
    const char *sort, const char *ip, struct rucio_files *files,
    struct sites_table **services, const char **sorted, char *err,
    size_t errsize)
{
	enum upstream_status	 st;

	*sorted = sort;
	st = locate_once(d, h, did, sort, ip, files, services, err, errsize);
	if (st == UP_TRANSIENT && strcmp(sort, "nearest_by_ip") == 0) {
		log_info("%s; asking for a random order instead", err);
		*sorted = "random";
		st = locate_once(d, h, did, "random", NULL, files, services,
		    err, errsize);
	}
	return st;
}

enum upstream_status
dmapi_meta(struct dmapi *d, struct http *h, const struct did *did,
    json_t **meta, char *err, size_t errsize)
{
	struct strbuf		 url = STRBUF_INIT;
	struct http_reply	 rep;
	enum upstream_status	 st;

	*meta = NULL;
	if (did_url(&url, d, "metadata", did) == -1) {
		strbuf_free(&url);
		snprintf(err, errsize, "cannot build the /metadata URL");
		return UP_TRANSIENT;
	}
	st = call(d, h, strbuf_str(&url), &rep, err, errsize);
	strbuf_free(&url);
	if (st != UP_OK)
		return st;
	if (rep.status == 200) {
		*meta = json_loads(strbuf_str(&rep.body), 0, NULL);
		if (!json_is_object(*meta)) {
			json_decref(*meta);
			*meta = NULL;
		}
	} else if (rep.status != 404)
		st = authed_unexpected(rep.status,
		    "data-management API /metadata", err, errsize);
	http_reply_free(&rep);
	return st;
}

/*
 * One entry: {"identifier": RSE, "replicas": [pfn...],
 * "colocated_services": [SCAPI service...]}: the RSE's PFNs into F, its
 * SODA services beside it in T.
 */
static int
parse_entry(const json_t *e, struct rucio_file *f, struct sites_table *t)
{
	const char	*rse = json_string_value(json_object_get(e, "identifier"));
	const json_t	*pfns = json_object_get(e, "replicas"), *svc;
	size_t		 i;

	if (rse == NULL || !json_is_array(pfns))
		return 0;	/* nothing usable in it */
	json_array_foreach(json_object_get(e, "colocated_services"), i, svc)
		if (sites_add_service(t, rse, svc) == -1)
			return -1;
	return rucio_rse_parse(&f->rses[f->nrses++], rse, pfns);
}

int
dmapi_parse_locate(const char *body, const struct did *did,
    struct rucio_files *files, struct sites_table **services, char *err,
    size_t errsize)
{
	json_t		*list, *e;
	size_t		 i;

	memset(files, 0, sizeof(*files));
	*services = NULL;
	list = json_loads(body, 0, NULL);
	if (!json_is_array(list)) {
		json_decref(list);
		snprintf(err, errsize, "data-management API /data/locate: not "
		    "a JSON list");
		return -1;
	}
	if ((*services = sites_table_new()) == NULL ||
	    (files->v = calloc(1, sizeof(*files->v))) == NULL)
		goto nomem;
	files->n = 1;
	files->v->scope = strdup(did->scope);
	files->v->name = strdup(did->name);
	files->v->bytes = -1;
	files->v->rses = calloc(json_array_size(list) + 1, sizeof(*files->v->rses));
	if (!files->v->scope || !files->v->name || !files->v->rses)
		goto nomem;
	json_array_foreach(list, i, e)
		if (parse_entry(e, files->v, *services) == -1)
			goto nomem;
	if (files->v->nrses == 0) {	/* located nowhere: not found */
		rucio_files_free(files);
		sites_table_free(*services);
		*services = NULL;
	}
	json_decref(list);
	return 0;
nomem:
	snprintf(err, errsize, "out of memory");
	rucio_files_free(files);
	sites_table_free(*services);
	*services = NULL;
	json_decref(list);
	return -1;
}
