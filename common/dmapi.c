#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

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
static void
did_url(struct strbuf *b, const struct dmapi *d, const char *route,
    const struct did *did)
{
	char	*s = curl_easy_escape(NULL, did->scope, 0), *p;

	strbuf_printf(b, "%s/%s/%s/", d->url, route, s ? s : "");
	curl_free(s);
	for (const char *seg = did->name; *seg != '\0'; ) {
		size_t n = strcspn(seg, "/");
		char *part = strndup(seg, n);
		p = part ? curl_easy_escape(NULL, part, 0) : NULL;
		strbuf_puts(b, p ? p : "");
		curl_free(p);
		free(part);
		seg += n;
		if (*seg == '/') {
			strbuf_puts(b, "/");
			seg++;
		}
	}
}

static enum upstream_status
status_of(long status, const char *what, char *err, size_t errsize)
{
	snprintf(err, errsize, "data-management API %s: HTTP %ld", what, status);
	return status >= 500 ? UP_TRANSIENT : UP_FATAL;
}

static enum upstream_status
locate_once(struct dmapi *d, struct http *h, const struct did *did,
    const char *sort, const char *ip, struct rucio_files *files,
    struct sites_table **services, char *err, size_t errsize)
{
	struct strbuf		 url = STRBUF_INIT;
	struct http_reply	 rep;
	enum upstream_status	 st;
	char			*e;

	memset(files, 0, sizeof(*files));
	*services = NULL;
	did_url(&url, d, "data/locate", did);
	strbuf_printf(&url, "?sort=%s&colocated_services=soda_sync,soda_async",
	    sort);
	if (ip != NULL && (e = curl_easy_escape(NULL, ip, 0)) != NULL) {
		strbuf_printf(&url, "&ip_address=%s", e);
		curl_free(e);
	}
	st = call(d, h, strbuf_str(&url), &rep, err, errsize);
	strbuf_free(&url);
	if (st != UP_OK)
		return st;
	if (rep.status == 404)
		st = UP_OK;	/* no such DID: no files */
	else if (rep.status != 200)
		st = status_of(rep.status, "/data/locate", err, errsize);
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
	did_url(&url, d, "metadata", did);
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
		st = status_of(rep.status, "/metadata", err, errsize);
	http_reply_free(&rep);
	return st;
}

/*
 * One entry: {"identifier": RSE, "replicas": [pfn...],
 * "colocated_services": [SCAPI service...]}.
 */
static int
parse_entry(json_t *e, struct rucio_file *f, json_t *services)
{
	const char	*rse = json_string_value(json_object_get(e, "identifier"));
	json_t		*pfns = json_object_get(e, "replicas"), *svc;
	size_t		 i;

	if (rse == NULL || !json_is_array(pfns))
		return 0;	/* nothing usable in it */
	json_array_foreach(json_object_get(e, "colocated_services"), i, svc) {
		/* Tie the service to this RSE for the site-table parser. */
		json_t *copy = json_deep_copy(svc);
		if (copy == NULL)
			return -1;
		json_object_set_new(copy, "associated_storage_area_id",
		    json_string(rse));
		json_array_append_new(services, copy);
	}
	struct rucio_rse *r = &f->rses[f->nrses++];
	r->name = strdup(rse);
	r->pfns = calloc(json_array_size(pfns) + 1, sizeof(*r->pfns));
	if (r->name == NULL || r->pfns == NULL)
		return -1;
	json_array_foreach(pfns, i, svc)
		if (json_is_string(svc) &&
		    (r->pfns[r->npfns++] = strdup(json_string_value(svc))) == NULL)
			return -1;
	return 0;
}

int
dmapi_parse_locate(const char *body, const struct did *did,
    struct rucio_files *files, struct sites_table **services, char *err,
    size_t errsize)
{
	json_t		*list, *e, *svcs = json_array(), *areas = json_array();
	char		*svctext = NULL, *areatext = NULL;
	size_t		 i;
	int		 rc = -1;

	memset(files, 0, sizeof(*files));
	*services = NULL;
	list = json_loads(body, 0, NULL);
	if (!json_is_array(list)) {
		snprintf(err, errsize, "data-management API /data/locate: not "
		    "a JSON list");
		goto out;
	}
	files->v = calloc(1, sizeof(*files->v));
	if (files->v == NULL || svcs == NULL || areas == NULL)
		goto nomem;
	files->n = 1;
	files->v->scope = strdup(did->scope);
	files->v->name = strdup(did->name);
	files->v->bytes = -1;
	files->v->rses = calloc(json_array_size(list) + 1, sizeof(*files->v->rses));
	if (!files->v->scope || !files->v->name || !files->v->rses)
		goto nomem;
	json_array_foreach(list, i, e) {
		if (parse_entry(e, files->v, svcs) == -1)
			goto nomem;
		/* The RSE name stands for its storage area in the table. */
		json_array_append_new(areas, json_pack("{s:O?,s:O?}", "id",
		    json_object_get(e, "identifier"), "name",
		    json_object_get(e, "identifier")));
	}
	if (files->v->nrses == 0) {
		rucio_files_free(files);	/* located nowhere: not found */
		rc = 0;
		goto out;
	}
	svctext = json_dumps(svcs, JSON_COMPACT);
	areatext = json_dumps(areas, JSON_COMPACT);
	if (svctext == NULL || areatext == NULL ||
	    (*services = sites_parse_scapi("[]", areatext, svctext, err,
	    errsize)) == NULL)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errsize, "out of memory");
	rucio_files_free(files);
out:
	free(svctext);
	free(areatext);
	json_decref(svcs);
	json_decref(areas);
	json_decref(list);
	return rc;
}
