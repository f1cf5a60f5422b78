#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "db.h"
#include "tap_int.h"
#include "tap_jobs.h"
#include "tap_upload.h"
#include "uws_row.h"

#define ALIVE	"WHERE id = $1 AND NOT deleted"

static const struct db_statement statements[] = {
	{ JOBS_GET, "SELECT " UWS_JOB_COLUMNS " FROM uws.job " ALIVE, 1 },
	/* UWS 1.1 §2.2.1.1: PHASE (any of), AFTER, LAST (the most recent). */
	{ JOBS_LIST, "SELECT " UWS_JOB_COLUMNS " FROM uws.job WHERE NOT "
	    "deleted AND phase OPERATOR(pg_catalog.=) ANY ($1::text[]) AND "
	    "($2::timestamptz IS NULL OR creation_time > $2::timestamptz) "
	    "ORDER BY creation_time DESC, id LIMIT $3::bigint", 3 },
	{ JOBS_NEW, "INSERT INTO uws.job (run_id, lang, query, maxrec, "
	    "format, request, execution_duration, destruction, phase, "
	    "queued_time, upload) VALUES ($1, $2, $3, $4, $5, $6, "
	    "$7::integer, pg_catalog.now() + pg_catalog.make_interval(secs "
	    "=> $8::integer), $9, CASE WHEN $9 = 'QUEUED' THEN "
	    "pg_catalog.now() END, $10) RETURNING id", 10 },
	/* A part sent again under the same name replaces the first. */
	{ JOBS_PART, "INSERT INTO uws.upload (job_id, part, content) VALUES "
	    "($1, $2, pg_catalog.decode($3, 'base64')) ON CONFLICT (job_id, "
	    "part) DO UPDATE SET content = EXCLUDED.content RETURNING job_id",
	    3 },
	{ JOBS_QUEUED, "SELECT pg_catalog.count(*) FROM uws.job WHERE "
	    "phase = 'QUEUED'", 0 },
	{ JOBS_PHASE, "UPDATE uws.job SET phase = $2, queued_time = CASE "
	    "WHEN $2 = 'QUEUED' THEN pg_catalog.now() ELSE queued_time END, "
	    "end_time = CASE WHEN $2 = 'ABORTED' THEN pg_catalog.now() ELSE "
	    "end_time END " ALIVE " AND phase OPERATOR(pg_catalog.=) ANY "
	    "($3::text[]) RETURNING id", 3 },
	{ JOBS_DELETE, "UPDATE uws.job SET deleted = true " ALIVE
	    " RETURNING id", 1 },
	{ JOBS_EDIT, "UPDATE uws.job SET run_id = COALESCE($3, run_id), "
	    "lang = COALESCE($4, lang), query = COALESCE($5, query), "
	    "maxrec = COALESCE($6, maxrec), format = COALESCE($7, format), "
	    "request = COALESCE($8, request), upload = CASE WHEN $9 IS NULL "
	    "THEN upload ELSE COALESCE(upload || ';', '') || $9 END " ALIVE
	    " AND (phase OPERATOR(pg_catalog.=) ANY ($2::text[]) OR ($4::text, "
	    "$5::text, $6::text, $7::text, $8::text, $9::text) IS NULL) "
	    "RETURNING id", 9 },
	{ JOBS_DURATION, "UPDATE uws.job SET execution_duration = "
	    "$3::integer " ALIVE " AND phase OPERATOR(pg_catalog.=) ANY "
	    "($2::text[]) RETURNING id", 3 },
	{ JOBS_DESTRUCT, "UPDATE uws.job SET destruction = "
	    "LEAST($2::timestamptz, creation_time + pg_catalog.make_interval("
	    "secs => $3::integer)) " ALIVE " RETURNING id", 3 },
};

int
tap_jobs_open(struct tap *t)
{
	if ((t->jobs = db_new(&t->cfg->database, "tap.fcgi jobs")) == NULL ||
	    db_add_setup(t->jobs, "SET TimeZone = 'UTC'") != 0 ||
	    db_add_role(t->jobs, t->cfg->tap.jobs_role) != 0)
		return -1;
	return db_add_statements(t->jobs, statements,
	    sizeof(statements) / sizeof(statements[0]));
}

enum db_status
tap_jobs_get(struct tap *t, const char *id, struct uws_job *j, int *found)
{
	const PGresult	*row;
	enum db_status	 st;

	*found = 0;
	if ((st = db_start(t->jobs, JOBS_GET, 1, &id)) != DB_OK)
		return st;
	if ((row = db_next(t->jobs, &st)) != NULL &&
	    uws_job_from_row(row, j) == 0)
		*found = 1;
	return st;
}

void
tap_jobs_end(struct tap *t)
{
	db_end(t->jobs);
}

enum db_status
tap_jobs_change(struct tap *t, const char *name, int n,
    const char *const *values, int *rows, char *out, size_t outsize)
{
	const PGresult	*row;
	enum db_status	 st;

	*rows = 0;
	if ((st = db_start(t->jobs, name, n, values)) != DB_OK)
		return st;
	while ((row = db_next(t->jobs, &st)) != NULL) {
		if (*rows == 0 && out != NULL)
			snprintf(out, outsize, "%s", PQgetvalue(row, 0, 0));
		(*rows)++;
	}
	db_end(t->jobs);
	return st;
}

int
tap_jobs_upload_text(const struct params *p, int k, struct strbuf *out,
    const char **text)
{
	const struct param_value	*v = params_get(p, k);

	*text = NULL;
	for (unsigned i = 0; i < params_count(p, k); i++)
		if (strbuf_printf(out, "%s%s", i > 0 ? ";" : "",
		    v[i].raw) == -1)
			return -1;
	if (params_count(p, k) > 0)
		*text = strbuf_str(out);
	return 0;
}

enum db_status
tap_jobs_store_parts(struct tap *t, const char *id, const struct params *p,
    int k)
{
	const struct param_value	*v = params_get(p, k);
	const struct param_part		*part;
	struct tap_uploads		 u;
	struct strbuf			 b64 = STRBUF_INIT, name = STRBUF_INIT;
	const char			*vals[3];
	enum db_status			 st = DB_OK;
	char				 why[256];
	int				 rows;

	u.n = 0;
	for (unsigned i = 0; i < params_count(p, k); i++)
		if (tap_upload_parse(&u, v[i].raw, why, sizeof(why)) == -1)
			return DB_OK;
	for (int i = 0; i < u.n && st == DB_OK; i++) {
		strbuf_reset(&name);
		strbuf_reset(&b64);
		if (u.up[i].part == NULL || strbuf_add(&name, u.up[i].part,
		    u.up[i].partlen) == -1 ||
		    (part = params_part(p, strbuf_str(&name))) == NULL)
			continue;
		if (b64_encode(&b64, part->data, part->len) == -1) {
			st = DB_ERROR;
			break;
		}
		vals[0] = id;
		vals[1] = strbuf_str(&name);
		vals[2] = strbuf_str(&b64);
		st = tap_jobs_change(t, JOBS_PART, 3, vals, &rows, NULL, 0);
	}
	strbuf_free(&b64);
	strbuf_free(&name);
	return st;
}
