/*
 * tap_conn: the connection ADQL queries run on, as tap.fcgi's sync path
 * and tap-runner's workers both open it (tap_new() in tap.h), and the
 * catalogue read from TAP_SCHEMA on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "tap.h"
#include "tap_catalog.h"
#include "tap_int.h"
#include "votable.h"

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
	if (db_add_setup(t->db, "SELECT pg_catalog.set_config('search_path', "
	    "'pg_catalog, ' || pg_catalog.quote_ident(n.nspname), false) "
	    "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
	    "ON n.oid = e.extnamespace WHERE e.extname = 'pg_sphere'") != 0 ||
	    db_add_setup(t->db, "SELECT set_sphere_output('DEG')") != 0 ||
	    db_add_setup(t->db, "SET DateStyle = 'ISO, YMD'") != 0 ||
	    db_add_setup(t->db, "SET TimeZone = 'UTC'") != 0 ||
	    db_add_setup(t->db, "SET default_transaction_read_only = on") != 0)
		return -1;
	if (db_add_role(t->db, t->cfg->tap.role) != 0)
		return -1;
	return tap_catalog_prepare(t->db);
}

struct tap *
tap_new(const struct config *cfg, char *err, size_t errsize)
{
	struct tap		*t;
	struct config_database	 dbcfg = cfg->database;
	struct http_opts	 ho = { cfg->http.connect_timeout,
				    cfg->http.timeout, cfg->http.ca_file };

	/* Whatever runs on the connection is a query's, or cheaper. */
	dbcfg.statement_timeout = cfg->tap.statement_timeout;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->db = db_new(&dbcfg, "tap.fcgi")) == NULL) {
		free(t);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	t->cfg = cfg;
	if ((t->http = http_new(&ho)) == NULL || add_setup(t) != 0) {
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
	db_free(t->jobs);
	http_free(t->http);
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
tap_catalog_get(struct tap *t, enum db_status *st)
{
	struct tap_catalog	*c;

	*st = DB_OK;
	if (t->cat != NULL && t->cat_conn == db_connections(t->db))
		return t->cat;
	if ((*st = (enum db_status)tap_catalog_load(t->db, &c)) != DB_OK)
		return NULL;
	tap_catalog_free(t->cat);
	t->cat = c;
	t->cat_conn = db_connections(t->db);
	return c;
}

void
tap_catalog_forget(struct tap *t)
{
	tap_catalog_free(t->cat);
	t->cat = NULL;
}

const struct tap_catalog *
tap_catalog(struct tap *t, struct response *r)
{
	const struct tap_catalog	*c;
	enum db_status			 st;

	if ((c = tap_catalog_get(t, &st)) == NULL)
		db_refusal(r, st);
	return c;
}

