#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "db.h"
#include "log.h"
#include "params.h"
#include "tap_int.h"
#include "tap_out.h"
#include "tap_value.h"

/*
 * TAP 1.1 §2.7 and DALI 1.1 §3: REQUEST is optional in TAP 1.1 and only
 * doQuery exists; LANG is required; the single-valued parameters fail when
 * repeated.  UPLOAD is not offered, so it is one of the unknown parameters
 * that are ignored (a query naming an upload finds no such table).
 */
enum {
	SYNC_REQUEST,
	SYNC_LANG,
	SYNC_QUERY,
	SYNC_MAXREC,
	SYNC_RESPONSEFORMAT,
	SYNC_FORMAT,
	SYNC_RUNID,
	SYNC__MAX
};

static const char *const requests[] = { "doQuery", NULL };
static const char *const langs[] = { "ADQL", "ADQL-2.0", "ADQL-2.1", NULL };

/* V is one of the rule's NULL-ended words, in any case. */
static int
one_of(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	const char *const	*w;

	for (w = r->valid_arg; *w != NULL; w++)
		if (strcasecmp(v->raw, *w) == 0)
			return 0;
	if (r->valid_arg == langs)
		snprintf(why, whysize, "%s: this service takes ADQL (ADQL, "
		    "ADQL-2.0 or ADQL-2.1)", r->name);
	else
		snprintf(why, whysize, "%s: %s is the only value taken",
		    r->name, *(const char *const *)r->valid_arg);
	return -1;
}

static const struct param_rule sync_rules[SYNC__MAX] = {
	[SYNC_REQUEST] = { .name = "REQUEST", .type = PARAM_STRING,
	    .maxlen = 32, .max_count = 1, .valid = one_of,
	    .valid_arg = requests },
	[SYNC_LANG] = { .name = "LANG", .type = PARAM_STRING, .maxlen = 32,
	    .max_count = 1, .required = 1, .valid = one_of,
	    .valid_arg = langs },
	[SYNC_QUERY] = { .name = "QUERY", .type = PARAM_STRING,
	    .maxlen = ADQL_MAX_INPUT, .max_count = 1, .required = 1 },
	[SYNC_MAXREC] = { .name = "MAXREC", .type = PARAM_INT, .max = 1e18,
	    .max_count = 1 },
	[SYNC_RESPONSEFORMAT] = { .name = "RESPONSEFORMAT",
	    .type = PARAM_STRING, .maxlen = 256, .max_count = 1,
	    .valid = tap_out_valid },
	[SYNC_FORMAT] = { .name = "FORMAT", .type = PARAM_STRING,
	    .maxlen = 256, .max_count = 1, .valid = tap_out_valid },
	[SYNC_RUNID] = { .name = "RUNID", .type = PARAM_STRING, .maxlen = 64,
	    .max_count = 1 },
};

/* What one request asks for, checked. */
struct sync_query {
	const char		*adql;
	long			 maxrec;
	const struct tap_out	*out;
	const char		*content_type;
	const char		*runid;		/* or NULL */
};

static void
read_query(const struct params *p, const struct config_tap *cfg,
    struct sync_query *q)
{
	const struct param_value	*v;

	q->adql = params_get(p, SYNC_QUERY)->raw;
	q->maxrec = cfg->maxrec_default;
	if ((v = params_get(p, SYNC_MAXREC)) != NULL)
		q->maxrec = v->i > cfg->maxrec_limit ? cfg->maxrec_limit :
		    (long)v->i;
	/* RESPONSEFORMAT wins over its older name. */
	if ((v = params_get(p, SYNC_RESPONSEFORMAT)) == NULL)
		v = params_get(p, SYNC_FORMAT);
	q->out = tap_out_find(v != NULL ? v->raw : NULL, &q->content_type);
	q->runid = (v = params_get(p, SYNC_RUNID)) != NULL ? v->raw : NULL;
}

/* Why the database did not answer, as the client is told. */
static void
db_failure(struct tap *t, struct response *r, enum db_status st)
{
	const char	*state = db_last_sqlstate(t->db);
	char		 msg[400];

	switch (st) {
	case DB_UNAVAILABLE:
		log_error("query failed: %s", db_last_error(t->db));
		tap_error(r, 503, "The database is unavailable; please try "
		    "again later");
		return;
	case DB_TIMEOUT:
		snprintf(msg, sizeof(msg), "The query ran longer than this "
		    "service's limit of %ld s and was cancelled",
		    (t->cfg->tap.statement_timeout + 999) / 1000);
		tap_error(r, 503, msg);
		return;
	default:
		break;
	}
	/*
	 * The query was valid ADQL but the database refused to finish it: a
	 * value it cannot take (division by zero, a polygon pgSphere cannot
	 * make), which is the query's.  A published table the role may not
	 * read is the operator's.
	 */
	log_warn("query failed: %s", db_last_error(t->db));
	if (strcmp(state, "42501") == 0) {
		tap_error(r, 500, "Internal error: a published table cannot be "
		    "read (the service's role lacks the right)");
		return;
	}
	snprintf(msg, sizeof(msg), "The database could not run the query: %s",
	    *db_last_message(t->db) != '\0' ? db_last_message(t->db) :
	    "no reason given");
	tap_error(r, 400, msg);
}

/*
 * Run SQL and write its rows as they come.  The document starts with the
 * first row (or the end of the rows), so that a query the database
 * refuses at once gets a plain error document; what happens later is said
 * after the table (DALI 1.1 §4.4): OVERFLOW when a row beyond MAXREC came,
 * ERROR when the database failed midway or a row could not be written in
 * the format asked for.
 */
static void
run(struct tap *t, const struct sync_query *q, const char *sql,
    const struct adql_field *fields, int nfields, struct response *r)
{
	struct tap_writer	 w;
	const PGresult		*row = NULL;
	enum db_status		 st;
	int			 refused = 0;

	if ((st = db_start_sql(t->db, sql)) == DB_OK &&
	    (row = db_next(t->db, &st)) == NULL && st != DB_OK)
		db_end(t->db);
	if (st != DB_OK) {
		db_failure(t, r, st);
		return;
	}
	if (tap_writer_init(&w, q->out, r, fields, nfields) == -1) {
		db_end(t->db);
		log_error("query not answered: %s", w.why);
		tap_error(r, 500, w.why);
		return;
	}
	resp_content_type(r, q->content_type);
	q->out->head(&w, q->runid);
	while (row != NULL && w.nrows < q->maxrec && !resp_failed(r)) {
		if ((refused = q->out->row(&w, row) == -1))
			break;
		w.nrows++;
		row = db_next(t->db, &st);
	}
	if (resp_failed(r) || refused)
		db_cancel(t->db);
	else
		db_end(t->db);
	if (refused) {
		log_warn("query stopped after %ld rows: %s", w.nrows, w.why);
		q->out->end(&w, TAP_END_ERROR, w.why);
	} else if (st != DB_OK) {
		log_error("query failed after %ld rows: %s", w.nrows,
		    db_last_error(t->db));
		q->out->end(&w, TAP_END_ERROR, "The query failed before all "
		    "rows were read");
	} else
		q->out->end(&w, row != NULL ? TAP_END_OVERFLOW : TAP_END_OK,
		    NULL);
	snprintf(r->note, sizeof(r->note), "%ld rows%s", w.nrows,
	    row != NULL && st == DB_OK && !refused ? " (overflow)" : "");
	tap_writer_free(&w);
}

/* Parse, check against the catalogue, emit, run. */
static void
query(struct tap *t, const struct sync_query *q, struct response *r)
{
	const struct tap_catalog	*cat;
	const struct adql_field		*fields;
	struct adql_tree		*tree;
	struct strbuf			 sql = STRBUF_INIT;
	char				 err[512];
	int				 nfields;

	/* Syntax first: a query that does not parse needs no database. */
	if ((tree = adql_parse(q->adql, strlen(q->adql), err,
	    sizeof(err))) == NULL) {
		tap_error(r, 400, err);
		return;
	}
	if ((cat = tap_catalog(t, r)) == NULL) {
		adql_tree_free(tree);
		return;
	}
	if (adql_check(tree, &cat->adql, err, sizeof(err)) == -1) {
		tap_error(r, 400, err);
		adql_tree_free(tree);
		return;
	}
	if (adql_emit(tree, q->maxrec, &sql) == -1) {
		tap_error(r, 500, "Internal error: out of memory");
	} else {
		log_debug("ADQL %s => %s", q->adql, strbuf_str(&sql));
		fields = adql_fields(tree, &nfields);
		run(t, q, strbuf_str(&sql), fields, nfields, r);
	}
	strbuf_free(&sql);
	adql_tree_free(tree);
}

void
tap_sync(void *state, const struct request *req, struct response *r)
{
	struct tap		*t = state;
	struct params		 p;
	struct sync_query	 q;
	char			 err[256];

	if (params_parse(&p, req, sync_rules, SYNC__MAX,
	    (size_t)t->cfg->request.max_params) != PARAMS_OK) {
		tap_error(r, p.err == PARAMS_EBODY ? 413 : 400,
		    params_error(&p, err, sizeof(err)));
	} else {
		read_query(&p, &t->cfg->tap, &q);
		query(t, &q, r);
	}
	params_free(&p);
}
