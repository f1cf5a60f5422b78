#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "params.h"
#include "service.h"
#include "tap.h"
#include "tap_catalog.h"
#include "tap_int.h"
#include "tap_vosi.h"
#include "vosi.h"
#include "votable.h"

#define NS_TR		"http://www.ivoa.net/xml/TAPRegExt/v1.0"

/*
 * Every connection is set up for ADQL's SQL and nothing else: names
 * resolve in pg_catalog and pgSphere's schema only, geometry prints in
 * degrees, times in ISO 8601 and UTC, every transaction is read-only, and
 * (last) the session becomes [tap] role, so queries run with that role's
 * rights alone.  The statement timeout is [tap]'s (tap_new()).
 */
static int
add_setup(struct tap *t)
{
	char	 sql[160];

	if (db_add_setup(t->db, "SELECT pg_catalog.set_config('search_path', "
	    "'pg_catalog, ' || pg_catalog.quote_ident(n.nspname), false) "
	    "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
	    "ON n.oid = e.extnamespace WHERE e.extname = 'pg_sphere'") != 0 ||
	    db_add_setup(t->db, "SELECT set_sphere_output('DEG')") != 0 ||
	    db_add_setup(t->db, "SET DateStyle = 'ISO, YMD'") != 0 ||
	    db_add_setup(t->db, "SET TimeZone = 'UTC'") != 0 ||
	    db_add_setup(t->db, "SET default_transaction_read_only = on") != 0)
		return -1;
	/* The role is a checked SQL name ([tap] role), quoted as one. */
	if (*t->cfg->tap.role != '\0') {
		snprintf(sql, sizeof(sql), "SET ROLE \"%s\"", t->cfg->tap.role);
		if (db_add_setup(t->db, sql) != 0)
			return -1;
	}
	return tap_catalog_prepare(t->db);
}

struct tap *
tap_new(const struct config *cfg, char *err, size_t errsize)
{
	struct tap		*t;
	struct config_database	 dbcfg = cfg->database;

	/* Whatever runs on the connection is a query's, or cheaper. */
	dbcfg.statement_timeout = cfg->tap.statement_timeout;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->db = db_new(&dbcfg, "tap.fcgi")) == NULL) {
		free(t);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	if (add_setup(t) != 0) {
		snprintf(err, errsize, "out of memory");
		tap_free(t);
		return NULL;
	}
	return t;
}

void
tap_free(struct tap *t)
{
	if (t == NULL)
		return;
	tap_catalog_free(t->cat);
	db_free(t->db);
	free(t);
}

void
tap_error(struct response *r, int status, const char *text)
{
	vot_error(r, status, VOT_MIME, text, 0);
}

/* The answer for a database that did not give what was asked. */
static void
db_refusal(struct response *r, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		tap_error(r, 503, "The database is unavailable; please try "
		    "again later");
	else if (st == DB_TIMEOUT)
		tap_error(r, 503, "The database took too long to answer; "
		    "please try again later");
	else
		tap_error(r, 500, "Internal error: the table metadata cannot "
		    "be read");
}

const struct tap_catalog *
tap_catalog(struct tap *t, struct response *r)
{
	struct tap_catalog	*c;
	enum db_status		 st;

	if (t->cat != NULL && t->cat_conn == db_connections(t->db))
		return t->cat;
	if ((st = tap_catalog_load(t->db, &c)) != DB_OK) {
		db_refusal(r, st);
		return NULL;
	}
	tap_catalog_free(t->cat);
	t->cat = c;
	t->cat_conn = db_connections(t->db);
	return c;
}

/* SIGHUP: TAP_SCHEMA is read again before the next query. */
static void
tap_reload(void *state)
{
	struct tap	*t = state;

	tap_catalog_free(t->cat);
	t->cat = NULL;
}

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
	    "  tables         the published tables and their columns "
	    "(VOSI)\n"
	    "  capabilities   what this service offers (VOSI, TAPRegExt)\n"
	    "  availability   whether it is up (VOSI)\n\n"
	    "There are no asynchronous queries.  pyvo: "
	    "pyvo.dal.TAPService(URL).search(\"SELECT TOP 10 * FROM "
	    "ivoa.obscore\")\n");
}

/*
 * The endpoint itself, and what the named routes do not take: tables/{name}
 * and, so that clients can tell there is none, async.
 */
static void
tap_root(void *state, const struct request *req, struct response *r)
{
	const char	*path = req->path, *tables, *seg = last_segment(path);

	if ((tables = strstr(path, "/tables/")) != NULL &&
	    tables[8] != '\0' && strchr(tables + 8, '/') == NULL) {
		one_table(state, tables + 8, r);
		return;
	}
	if (strcmp(seg, "async") == 0 || strstr(path, "/async/") != NULL) {
		tap_error(r, 404, "this service has synchronous queries only "
		    "(sync)");
		return;
	}
	landing(r);
}

static void *
tap_start(const struct config *cfg, char *err, size_t errsize)
{
	return tap_new(cfg, err, errsize);
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

	return printf("role\t%s\nstatement_timeout\t%ld\nmaxrec\t%ld %ld\n",
	    *cfg->tap.role != '\0' ? cfg->tap.role : "(the login role)",
	    cfg->tap.statement_timeout, cfg->tap.maxrec_default,
	    cfg->tap.maxrec_limit) < 0;
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
	l.timeout_s = (cfg->tap.statement_timeout + 999) / 1000;
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

static const struct route tap_routes[] = {
	{ "sync", ROUTE_GET | ROUTE_POST, tap_sync },
	{ "tables", ROUTE_GET, tap_tables },
	{ NULL, ROUTE_GET, tap_root },
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
};
