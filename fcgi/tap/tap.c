#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "params.h"
#include "service.h"
#include "tap.h"
#include "tap_catalog.h"
#include "tap_examples.h"
#include "tap_int.h"
#include "tap_jobs.h"
#include "tap_vosi.h"
#include "vosi.h"
#include "votable.h"

#define NS_TR		"http://www.ivoa.net/xml/TAPRegExt/v1.0"

/* VOSI tables 1.1: detail=min gives tables without their columns. */
enum { TABLES_DETAIL, TABLES__MAX };

static const struct param_rule tables_rules[TABLES__MAX] = {
	[TABLES_DETAIL] = { .name = "detail", .type = PARAM_STRING,
	    .maxlen = 16, .max_count = 1 },
};

static void
tap_tables(void *state, const struct request *req, struct response *r)
{
	struct tap			*t = state;
	const struct tap_catalog	*c;
	const struct param_value	*v;
	struct params			 p;
	char				 err[256];
	int				 detail = 1;

	if (params_parse(&p, req, tables_rules, TABLES__MAX,
	    (size_t)t->cfg->request.max_params) != PARAMS_OK) {
		tap_error(r, p.err == PARAMS_EBODY ? 413 : 400,
		    params_error(&p, err, sizeof(err)));
	} else if ((v = params_get(&p, TABLES_DETAIL)) != NULL &&
	    strcmp(v->raw, "min") != 0 && strcmp(v->raw, "max") != 0) {
		tap_error(r, 400, "detail: min or max");
	} else if ((c = tap_catalog(t, r)) != NULL) {
		detail = v == NULL || strcmp(v->raw, "max") == 0;
		tap_vosi_tableset(r, c, detail);
	}
	params_free(&p);
}

/* The path's last segment, or "" after a trailing slash. */
static const char *
last_segment(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* /tables/{name}: one table, as pyvo asks for those given without columns. */
static void
one_table(struct tap *t, const char *name, struct response *r)
{
	const struct tap_catalog	*c;
	const struct tap_table		*tt;

	if ((c = tap_catalog(t, r)) == NULL)
		return;
	if ((tt = tap_catalog_table(c, name)) == NULL) {
		tap_error(r, 404, "no such table is published here");
		return;
	}
	tap_vosi_table(r, tt);
}

static void
landing(struct response *r)
{
	resp_content_type(r, "text/plain;charset=UTF-8");
	resp_puts(r, "IVOA Table Access Protocol 1.1 service: ADQL 2.1 "
	    "queries over ObsCore 1.1 (ivoa.ObsCore) and TAP_SCHEMA.\n\n"
	    "  sync           synchronous queries: LANG=ADQL&QUERY=...\n"
	    "  async          asynchronous queries: UWS 1.1 jobs\n"
	    "  tables         the published tables and their columns "
	    "(VOSI)\n"
	    "  examples       example queries (DALI, XHTML)\n"
	    "  capabilities   what this service offers (VOSI, TAPRegExt)\n"
	    "  availability   whether it is up (VOSI)\n\n"
	    "pyvo: pyvo.dal.TAPService(URL).search(\"SELECT TOP 10 * FROM "
	    "ivoa.obscore\") (sync) or .run_async(...) (async)\n");
}

/*
 * The endpoint itself, and what the named routes do not take: async and
 * everything under it (the job list, the jobs), and tables/{name}.
 */
static void
tap_root(void *state, const struct request *req, struct response *r)
{
	const char	*path = req->path, *tables, *seg = last_segment(path);

	if (strcmp(seg, "async") == 0 || strstr(path, "/async/") != NULL) {
		tap_async(state, req, r);
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		resp_header(r, "Allow", "GET, HEAD");
		tap_error(r, 405, "this resource takes GET, HEAD only");
		return;
	}
	if ((tables = strstr(path, "/tables/")) != NULL &&
	    tables[8] != '\0' && strchr(tables + 8, '/') == NULL) {
		one_table(state, tables + 8, r);
		return;
	}
	landing(r);
}

static void *
tap_start(const struct config *cfg, char *err, size_t errsize)
{
	struct tap	*t;

	if ((t = tap_new(cfg, err, errsize)) != NULL && tap_jobs_open(t) != 0) {
		snprintf(err, errsize, "out of memory");
		tap_free(t);
		return NULL;
	}
	return t;
}

static void
tap_stop(void *t)
{
	tap_free(t);
}

/* -t: TAP prepares nothing but the reading of TAP_SCHEMA; say how it runs. */
static int
tap_check(void *state)
{
	const struct config	*cfg = ((struct tap *)state)->cfg;

	return printf("role\t%s\nstatement_timeout\t%ld\nmaxrec\t%ld %ld\n"
	    "jobs_role\t%s\n",
	    *cfg->tap.role != '\0' ? cfg->tap.role : "(the login role)",
	    cfg->tap.statement_timeout, cfg->tap.maxrec_default,
	    cfg->tap.maxrec_limit, *cfg->tap.jobs_role != '\0' ?
	    cfg->tap.jobs_role : "(the login role)") < 0;
}

static const char *
tap_public_url(void *t)
{
	return ((struct tap *)t)->cfg->tap.public_url;
}

static void
write_capability(struct xmlw *w, const void *ctx)
{
	const struct config	*cfg = ctx;
	struct tap_vosi_limits	 l;

	l.maxrec_default = cfg->tap.maxrec_default;
	l.maxrec_limit = cfg->tap.maxrec_limit;
	l.exec_default_s = cfg->tap.execution_duration;
	l.exec_hard_s = cfg->tap.max_execution_duration;
	l.retention_s = cfg->tap.destruction;
	l.upload_max_size = cfg->tap.upload_max_size;
	tap_vosi_capability(w, &l);
}

static void
tap_capability(void *state, const char *base, struct vosi_capability *cap,
    char *url, size_t urlsize)
{
	struct tap	*t = state;

	snprintf(url, urlsize, "%s", base);
	cap->standard_id = "ivo://ivoa.net/std/TAP";
	cap->xsi_type = "tr:TableAccess";
	cap->xmlns_attr = "xmlns:tr";
	cap->xmlns_uri = NS_TR;
	cap->access_url = url;
	cap->version = "1.1";
	cap->write = write_capability;
	cap->ctx = t->cfg;
	cap->tables = 1;
	cap->examples = 1;
}

static int
tap_available(void *state, char *note, size_t size)
{
	struct tap	*t = state;
	int		 up = db_ping(t->db) == DB_OK;

	snprintf(note, size, "%s", up ? "The TAP service and its database are "
	    "up" : "The database cannot be reached");
	return up;
}

/* SIGHUP: TAP_SCHEMA is read again before the next query. */
static void
tap_reload(void *state)
{
	tap_catalog_forget(state);
}

/* A request may carry TAP_UPLOAD tables of up to [tap] upload_max_size. */
static long
tap_max_body(const struct config *cfg)
{
	return cfg->tap.upload_max_size > cfg->request.max_body ?
	    cfg->tap.upload_max_size : cfg->request.max_body;
}

static const struct route tap_routes[] = {
	{ "sync", ROUTE_GET | ROUTE_POST, tap_sync },
	{ "tables", ROUTE_GET, tap_tables },
	{ "examples", ROUTE_GET, tap_examples_page },
	{ NULL, ROUTE_GET | ROUTE_POST | ROUTE_DELETE, tap_root },
	{ NULL, 0, NULL }
};

const struct service tap_service = {
	.program = "tap.fcgi",
	.prog = PROG_TAP,
	.version = RIF_VERSION,
	.start = tap_start,
	.stop = tap_stop,
	.check = tap_check,
	.routes = tap_routes,
	.refuse = tap_error,
	.public_url = tap_public_url,
	.capability = tap_capability,
	.reload = tap_reload,
	.available = tap_available,
	.max_body = tap_max_body,
};
