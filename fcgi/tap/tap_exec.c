#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "db.h"
#include "log.h"
#include "tap_b2pg.h"
#include "tap_exec.h"
#include "tap_int.h"
#include "tap_out.h"

/* No document: STATUS and TEXT say why. */
static void
refused(struct tap_outcome *o, int status, const char *text)
{
	o->written = 0;
	o->status = status;
	snprintf(o->message, sizeof(o->message), "%s", text);
}

/* Why the database did not answer, as the client is told. */
static void
db_failure(struct tap *t, const struct tap_query *q, enum db_status st,
    struct tap_outcome *o)
{
	const char	*state = db_last_sqlstate(t->db);
	char		 msg[400];

	o->db = st;
	switch (st) {
	case DB_UNAVAILABLE:
		log_error("query failed: %s", db_last_error(t->db));
		refused(o, 503, "The database is unavailable; please try "
		    "again later");
		return;
	case DB_TIMEOUT:
		snprintf(msg, sizeof(msg), "The query ran longer than this "
		    "service's limit of %ld s and was cancelled", q->timeout_s);
		refused(o, 503, msg);
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
		refused(o, 500, "Internal error: a published table cannot be "
		    "read (the service's role lacks the right)");
		return;
	}
	snprintf(msg, sizeof(msg), "The database could not run the query: %s",
	    *db_last_message(t->db) != '\0' ? db_last_message(t->db) :
	    "no reason given");
	refused(o, 400, msg);
}

/*
 * Where a query's rows come from: libpq's rows one at a time, in text, or
 * for a format that reads those, a COPY in binary (tap_b2pg.h).
 */
struct source {
	struct db			*db;
	struct tap_b2pg_rows		 copy;
	const PGresult			*row;	/* the current row, or */
	const struct tap_b2pg_row	*crow;	/* the COPY's */
};

/* SQL, of FIELDS (NFIELDS) and at most LIMIT rows (-1: any), for OUT. */
static enum db_status
source_start(struct source *s, struct db *db, const struct tap_out *out,
    const char *sql, const struct adql_field *fields, int nfields,
    long long limit)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	if (out->copy_row == NULL || (limit >= 0 && limit <= TAP_B2PG_ROWS + 1))
		return db_start_sql(db, sql);
	return tap_b2pg_start(&s->copy, db, sql, fields, nfields);
}

/* The next row: 1, or 0 at the end of the rows or on failure (*ST). */
static int
source_next(struct source *s, enum db_status *st)
{
	if (s->copy.copying)
		return (s->crow = tap_b2pg_next(&s->copy, st)) != NULL;
	return (s->row = db_next(s->db, st)) != NULL;
}

/* The current row, written by W as OUT writes; -1 when it cannot be. */
static int
source_write(const struct source *s, struct tap_writer *w,
    const struct tap_out *out)
{
	return s->copy.copying ? out->copy_row(w, s->crow) :
	    out->row(w, s->row);
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
run(struct tap *t, const struct tap_query *q, const char *sql,
    const struct adql_field *fields, int nfields, long long limit,
    struct response *r, struct tap_outcome *o)
{
	struct tap_writer	 w;
	struct source		 s;
	enum db_status		 st;
	int			 row = 0, stopped = 0;

	if ((st = source_start(&s, t->db, q->out, sql, fields, nfields,
	    limit)) == DB_OK && !(row = source_next(&s, &st)) && st != DB_OK)
		db_end(t->db);
	if (st != DB_OK) {
		db_failure(t, q, st, o);
		tap_b2pg_free(&s.copy);
		return;
	}
	if (tap_writer_init(&w, q->out, r, fields, nfields) == -1) {
		db_end(t->db);
		tap_b2pg_free(&s.copy);
		log_error("query not answered: %s", w.why);
		refused(o, 500, w.why);
		return;
	}
	o->written = 1;
	resp_content_type(r, q->content_type);
	q->out->head(&w, q->runid);
	while (row && w.nrows < q->maxrec && !resp_failed(r)) {
		if ((stopped = source_write(&s, &w, q->out) == -1))
			break;
		w.nrows++;
		row = source_next(&s, &st);
	}
	if (resp_failed(r) || stopped)
		db_cancel(t->db);
	else
		db_end(t->db);
	tap_b2pg_free(&s.copy);
	o->rows = w.nrows;
	if (stopped) {
		log_warn("query stopped after %ld rows: %s", w.nrows, w.why);
		o->midway = 1;
		snprintf(o->message, sizeof(o->message), "%s", w.why);
		q->out->end(&w, TAP_END_ERROR, o->message);
	} else if (st != DB_OK) {
		log_error("query failed after %ld rows: %s", w.nrows,
		    db_last_error(t->db));
		o->midway = 1;
		o->db = st;
		snprintf(o->message, sizeof(o->message), "The query failed "
		    "before all rows were read");
		q->out->end(&w, TAP_END_ERROR, o->message);
	} else {
		o->overflow = row;
		q->out->end(&w, o->overflow ? TAP_END_OVERFLOW : TAP_END_OK,
		    NULL);
	}
	tap_writer_free(&w);
}

/*
 * The catalogue Q is checked against: TAP_SCHEMA's, and with uploads
 * theirs too, made in a transaction of their own that the query then runs
 * in, read-only from there on.  NULL, with O saying why, when there is
 * none; the caller ends the transaction (*SET not NULL) after the query.
 */
static const struct adql_catalog *
query_catalog(struct tap *t, const struct tap_query *q,
    struct tap_upload_set **set, struct tap_outcome *o)
{
	const struct tap_catalog	*cat;
	enum db_status			 st;
	char				 why[512] = "";

	*set = NULL;
	if ((cat = tap_catalog_get(t, &st)) == NULL) {
		db_failure(t, q, st, o);
		if (st != DB_UNAVAILABLE && st != DB_TIMEOUT)
			refused(o, 500, "Internal error: the table metadata "
			    "cannot be read");
		return NULL;
	}
	if (q->uploads.n == 0)
		return &cat->adql;
	if ((st = db_exec(t->db, "BEGIN READ WRITE")) == DB_OK &&
	    (st = tap_upload_load(t->db, &q->uploads, &cat->adql,
	    &t->cfg->tap, set, why, sizeof(why))) == DB_OK &&
	    (st = db_exec(t->db, "SET TRANSACTION READ ONLY")) == DB_OK)
		return tap_upload_catalog(*set);
	if (st == DB_ERROR && strcmp(db_last_sqlstate(t->db), "42501") == 0) {
		log_error("upload refused: %s", db_last_error(t->db));
		refused(o, 500, "Internal error: uploaded tables cannot be "
		    "made (the service's role lacks the TEMPORARY right)");
	} else if (st == DB_ERROR && why[0] != '\0') {
		log_warn("upload refused: %s", why);
		refused(o, 400, why);
	} else
		db_failure(t, q, st, o);
	(void)db_exec(t->db, "ROLLBACK");
	tap_upload_set_free(*set);
	*set = NULL;
	return NULL;
}

void
tap_exec(struct tap *t, const struct tap_query *q, struct response *r,
    struct tap_outcome *o)
{
	const struct adql_catalog	*cat;
	const struct adql_field		*fields;
	struct tap_upload_set		*set;
	struct adql_tree		*tree;
	struct strbuf			 sql = STRBUF_INIT;
	char				 err[512];
	int				 nfields;

	memset(o, 0, sizeof(*o));
	/* Syntax first: a query that does not parse needs no database. */
	if ((tree = adql_parse(q->adql, strlen(q->adql), err,
	    sizeof(err))) == NULL) {
		refused(o, 400, err);
		return;
	}
	if ((cat = query_catalog(t, q, &set, o)) == NULL) {
		/* O says why. */
	} else if (adql_check(tree, cat, err, sizeof(err)) == -1) {
		refused(o, 400, err);
	} else if (adql_emit(tree, q->maxrec, &sql) == -1) {
		refused(o, 500, "Internal error: out of memory");
	} else {
		log_debug("ADQL %s => %s", q->adql, strbuf_str(&sql));
		fields = adql_fields(tree, &nfields);
		run(t, q, strbuf_str(&sql), fields, nfields,
		    adql_emit_limit(tree, q->maxrec), r, o);
	}
	strbuf_free(&sql);
	adql_tree_free(tree);
	/* The uploads go with their transaction. */
	if (set != NULL) {
		(void)db_exec(t->db, "ROLLBACK");
		tap_upload_set_free(set);
	}
}
