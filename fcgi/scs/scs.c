#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "obscore.h"
#include "params.h"
#include "scs.h"
#include "scs_query.h"
#include "service.h"
#include "vosi.h"
#include "votable.h"

/* Cone Search 1.03 §2 item 2 names text/xml. */

/*
 * The document head, up to the first row, depends only on VERB and the
 * status: it is written once at start for each of the six and sent as it
 * is, which saves most of the work of a small answer.
 */
struct scs {
	const struct config	*cfg;
	struct db		*db;
	struct xmlw_snapshot	 heads[4][2];	/* [VERB][overflow] */
	char			 maxsr[32], maxrec[32];	/* for VOSI */
	const char		*cap_extra[7];
};

/* Which document head: VERB and whether the answer overflows. */
struct head_kind {
	int	 verb;
	int	 overflow;
};

static void	write_head(struct xmlw *, const void *kind);

static const char *const stmt_names[2][4] = {
	{ NULL, "cone1", "cone2", "cone3" },
	{ NULL, "wide1", "wide2", "wide3" },
};

/*
 * Build the six statements (three verbosities, narrow and wide cones) and
 * hand each, with its name, to FN; scs_new() prepares them, "-t" prints
 * them.  Returns non-zero if any build or FN failed.
 */
static int
each_statement(const struct config *cfg,
    int (*fn)(void *ctx, const char *name, const char *sql), void *ctx)
{
	struct strbuf	 sql = STRBUF_INIT;
	int		 verb, wide, rc = 0;

	for (wide = 0; wide < 2; wide++)
		for (verb = 1; verb <= 3; verb++) {
			strbuf_reset(&sql);
			rc |= scs_sql(&sql, cfg->scs.table, verb, wide);
			rc |= fn(ctx, stmt_names[wide][verb], strbuf_str(&sql));
		}
	strbuf_free(&sql);
	return rc;
}

static int
prepare_statement(void *db, const char *name, const char *sql)
{
	return db_add_statement(db, name, sql, 4);
}

static int
print_statement(void *ctx, const char *name, const char *sql)
{
	(void)ctx;
	return printf("%s\t%s\n", name, sql) < 0;
}

/* Write the six document heads (VERB x overflow) once, into memory. */
static int
render_heads(struct scs *s)
{
	struct head_kind	 k;
	int			 rc = 0;

	for (k.verb = 1; k.verb <= 3; k.verb++)
		for (k.overflow = 0; k.overflow < 2; k.overflow++)
			rc |= xmlw_record(&s->heads[k.verb][k.overflow],
			    write_head, &k);
	return rc;
}

/* The capability's extra elements, written once. */
static void
set_capability(struct scs *s)
{
	const char	**e = s->cap_extra;

	snprintf(s->maxsr, sizeof(s->maxsr), "%g", s->cfg->scs.max_sr);
	snprintf(s->maxrec, sizeof(s->maxrec), "%ld", s->cfg->scs.maxrec_limit);
	e[0] = "maxSR", e[1] = s->maxsr, e[2] = "maxRecords", e[3] = s->maxrec;
	e[4] = "verbosity", e[5] = "true", e[6] = NULL;
}

struct scs *
scs_new(const struct config *cfg, char *err, size_t errsize)
{
	struct scs	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->db = db_new(&cfg->database, "scs.fcgi")) == NULL) {
		free(s);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	set_capability(s);
	/*
	 * pgSphere lives where its extension was created; name resolution
	 * looks there and in pg_catalog only.  Regions print in degrees.
	 */
	if (db_add_setup(s->db, "SELECT pg_catalog.set_config('search_path', "
	    "'pg_catalog, ' || pg_catalog.quote_ident(n.nspname), false) "
	    "FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
	    "ON n.oid = e.extnamespace WHERE e.extname = 'pg_sphere'") != 0 ||
	    db_add_setup(s->db, "SELECT set_sphere_output('DEG')") != 0) {
		snprintf(err, errsize, "out of memory");
		goto fail;
	}
	if (each_statement(cfg, prepare_statement, s->db) != 0) {
		snprintf(err, errsize, "the cone statements cannot be built for "
		    "[scs] table %s", cfg->scs.table);
		goto fail;
	}
	if (render_heads(s) != 0) {
		snprintf(err, errsize, "out of memory writing the document heads");
		goto fail;
	}
	return s;
fail:
	scs_free(s);
	return NULL;
}

int
scs_print_sql(const struct config *cfg)
{
	return each_statement(cfg, print_statement, NULL);
}

void
scs_free(struct scs *s)
{
	if (s == NULL)
		return;
	for (int verb = 1; verb <= 3; verb++)
		for (int ov = 0; ov < 2; ov++)
			xmlw_snapshot_free(&s->heads[verb][ov]);
	db_free(s->db);
	free(s);
}

static void
scs_error(struct response *r, int status, const char *msg)
{
	vot_error(r, status, SCS_MIME, msg, 1);
}

/* Columns of the statement before the ObsCore ones: count and _r. */
#define COL_COUNT	0
#define COL_DIST	1
#define COL_FIRST	2

/*
 * The RESOURCE, TABLE and FIELDs, up to the first row.  DALI 1.1 §4.2: the
 * leading QUERY_STATUS says OVERFLOW when the result was cut at MAXREC.
 */
static void
write_head(struct xmlw *w, const void *kind)
{
	int	 i, verb = ((const struct head_kind *)kind)->verb,
		 overflow = ((const struct head_kind *)kind)->overflow;

	vot_begin(w, VOT_1_1);
	xmlw_open(w, "RESOURCE", "type", "results", NULL);
	xmlw_raw(w, "\n");
	vot_info(w, "QUERY_STATUS", overflow ? "OVERFLOW" : "OK", NULL);
	xmlw_empty(w, "COOSYS", "ID", "sys", "system", "ICRS", NULL);
	xmlw_raw(w, "\n");
	xmlw_open(w, "TABLE", "name", "results", NULL);
	xmlw_elem(w, "DESCRIPTION", "ObsCore datasets in the cone, nearest "
	    "first", NULL);
	xmlw_raw(w, "\n");
	vot_field(w, &obscore_dist_field);
	for (i = 0; i < obscore_ncols; i++)
		if (obscore_cols[i].verb <= verb)
			vot_field(w, &obscore_cols[i].f);
	vot_data_begin(w);
}

static void
write_row(struct xmlw *w, const PGresult *row, const struct scs_query *q)
{
	char		 poly[8192];
	const char	*v;
	int		 i, col = COL_FIRST;

	vot_tr_begin(w);
	vot_td_raw(w, vot_pg_double(PQgetvalue(row, 0, COL_DIST)));
	for (i = 0; i < obscore_ncols; i++) {
		if (obscore_cols[i].verb > q->verb)
			continue;
		v = PQgetisnull(row, 0, col) ? NULL : PQgetvalue(row, 0, col);
		col++;
		switch (obscore_cols[i].kind) {
		case COL_DOUBLE:
			vot_td_raw(w, v != NULL ? vot_pg_double(v) : NULL);
			break;
		case COL_POLYGON:
			vot_td_raw(w, v != NULL ?
			    obscore_region(v, poly, sizeof(poly)) : NULL);
			break;
		case COL_INT:
			vot_td_raw(w, v != NULL ? v : obscore_cols[i].f.null);
			break;
		default:
			vot_td(w, v);
			break;
		}
	}
	vot_tr_end(w);
}

static void
db_failure(struct scs *s, struct response *r, enum db_status st)
{
	log_error("cone query failed: %s", db_last_error(s->db));
	if (st == DB_UNAVAILABLE)
		scs_error(r, 503, "The catalogue database is unavailable; "
		    "please try again later");
	else if (st == DB_TIMEOUT)
		scs_error(r, 503, "The query took too long and was cancelled; "
		    "try a smaller radius or MAXREC");
	else
		scs_error(r, 500, "Internal error while reading the catalogue");
}

/*
 * Stream the rows of the cone.  The head goes out with the first row, which
 * says whether the result overflows; a failure before it is an error
 * document, one after it (rare: the server has the rows by then) closes the
 * table and says so in a RESOURCE of its own, as VOTable 1.1 allows.
 */
static void
run_cone(struct scs *s, const struct scs_query *q, struct response *r)
{
	char		 ra[32], dec[32], sr[32], limit[32];
	const char	*vals[4] = { ra, dec, sr, limit };
	const PGresult	*row = NULL;
	struct xmlw	 w;
	enum db_status	 st = DB_OK;
	long		 n = 0;
	int		 query = q->sr > 0 && q->maxrec > 0, overflow;

	snprintf(ra, sizeof(ra), "%.17g", q->ra);
	snprintf(dec, sizeof(dec), "%.17g", q->dec);
	snprintf(sr, sizeof(sr), "%.17g", q->sr);
	/* One row more than wanted tells whether there were more. */
	snprintf(limit, sizeof(limit), "%ld", q->maxrec + 1);
	if (query) {
		st = db_start(s->db, stmt_names[scs_query_wide(q)][q->verb],
		    4, vals);
		if (st == DB_OK && (row = db_next(s->db, &st)) == NULL &&
		    st != DB_OK)
			db_end(s->db);
		if (st != DB_OK) {
			db_failure(s, r, st);
			return;
		}
	}
	overflow = q->maxrec == 0 ? q->sr > 0 :
	    row != NULL && atol(PQgetvalue(row, 0, COL_COUNT)) > q->maxrec;
	xmlw_init(&w, r);
	xmlw_replay(&w, &s->heads[q->verb][overflow]);
	for (; row != NULL && n < q->maxrec && !resp_failed(r);
	    row = db_next(s->db, &st), n++)
		write_row(&w, row, q);
	if (query)
		db_end(s->db);
	vot_data_end(&w);
	xmlw_close(&w);		/* TABLE */
	if (st != DB_OK) {
		log_error("cone query failed after %ld rows: %s", n,
		    db_last_error(s->db));
		xmlw_open(&w, "RESOURCE", "name", "status", NULL);
		vot_info(&w, "QUERY_STATUS", "ERROR", "The query failed before "
		    "all rows were read");
		xmlw_close(&w);
	}
	xmlw_close_all(&w);
}

static void
scs_query_endpoint(void *state, const struct request *req,
    struct response *r)
{
	struct scs	*s = state;
	struct params	 p;
	struct scs_query q;
	char		 err[256];

	if (params_parse(&p, req, scs_rules, SCS__MAX,
	    (size_t)s->cfg->request.max_params) != PARAMS_OK) {
		scs_error(r, p.err == PARAMS_EBODY ? 413 : 200,
		    params_error(&p, err, sizeof(err)));
	} else if (scs_query_parse(&p, &s->cfg->scs, &q, err,
	    sizeof(err)) == -1) {
		scs_error(r, 200, err);
	} else {
		resp_content_type(r, q.format != NULL ? q.format : SCS_MIME);
		run_cone(s, &q, r);
	}
	params_free(&p);
}

static void *
scs_start(const struct config *cfg, char *err, size_t errsize)
{
	return scs_new(cfg, err, errsize);
}

static void
scs_stop(void *s)
{
	scs_free(s);
}

static int
scs_check(void *s)
{
	return scs_print_sql(((struct scs *)s)->cfg);
}

static const char *
scs_public_url(void *s)
{
	return ((struct scs *)s)->cfg->scs.public_url;
}

static void
scs_capability(void *state, const char *base, struct vosi_capability *cap,
    char *url, size_t urlsize)
{
	struct scs	*s = state;

	/* Cone Search base URLs end in '?' (SCS 1.03 §2 item 1). */
	snprintf(url, urlsize, "%s?", base);
	cap->standard_id = "ivo://ivoa.net/std/ConeSearch";
	cap->xsi_type = "cs:ConeSearch";
	cap->access_url = url;
	cap->extra = s->cap_extra;
}

static int
scs_available(void *state, char *note, size_t size)
{
	struct scs	*s = state;
	int		 up = db_ping(s->db) == DB_OK;

	snprintf(note, size, "%s", up ? "The cone search and its database are "
	    "up" : "The catalogue database cannot be reached");
	return up;
}

static const struct route scs_routes[] = {
	{ NULL, ROUTE_GET | ROUTE_POST, scs_query_endpoint },
	{ NULL, 0, NULL }
};

const struct service scs_service = {
	.program = "scs.fcgi",
	.prog = PROG_SCS,
	.version = RIF_VERSION,
	.start = scs_start,
	.stop = scs_stop,
	.check = scs_check,
	.routes = scs_routes,
	.refuse = scs_error,
	.public_url = scs_public_url,
	.capability = scs_capability,
	.available = scs_available,
};
