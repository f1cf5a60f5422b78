/*
 * tap_async: /async (TAP 1.1 §2.2, UWS 1.1): routing of the job list and
 * the jobs under it, the list itself (GET, with PHASE, AFTER and LAST) and
 * the creation of jobs (POST, 303 to the new job).  The parameters are
 * stored as sent: they are checked when the job runs (TAP 1.1 §2.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adql_parse.h"
#include "config.h"
#include "log.h"
#include "tap_async.h"
#include "tap_int.h"
#include "tap_jobs.h"
#include "tap_upload.h"
#include "uws.h"
#include "uws_doc.h"
#include "uws_row.h"

static const struct param_rule rules[AP__MAX] = {
	[AP_LANG] = { .name = "LANG", .maxlen = 32, .max_count = 1 },
	[AP_QUERY] = { .name = "QUERY", .maxlen = ADQL_MAX_INPUT,
	    .max_count = 1 },
	[AP_MAXREC] = { .name = "MAXREC", .maxlen = 32, .max_count = 1 },
	[AP_RESPONSEFORMAT] = { .name = "RESPONSEFORMAT", .maxlen = 256,
	    .max_count = 1 },
	[AP_FORMAT] = { .name = "FORMAT", .maxlen = 256, .max_count = 1 },
	[AP_REQUEST] = { .name = "REQUEST", .maxlen = 32, .max_count = 1 },
	[AP_RUNID] = { .name = "RUNID", .maxlen = 64, .max_count = 1 },
	/* Repeated in a list's filter only. */
	[AP_PHASE] = { .name = "PHASE", .maxlen = 16, .max_count = 10 },
	[AP_ACTION] = { .name = "ACTION", .maxlen = 16, .max_count = 1 },
	[AP_EXECUTIONDURATION] = { .name = "EXECUTIONDURATION",
	    .type = PARAM_INT, .min = 1, .max = 1e9, .max_count = 1 },
	[AP_DESTRUCTION] = { .name = "DESTRUCTION", .maxlen = 40,
	    .max_count = 1 },
	[AP_WAIT] = { .name = "WAIT", .type = PARAM_INT, .min = -1,
	    .max = 1e9, .max_count = 1 },
	[AP_AFTER] = { .name = "AFTER", .maxlen = 40, .max_count = 1 },
	[AP_LAST] = { .name = "LAST", .type = PARAM_INT, .min = 0,
	    .max = 1e9, .max_count = 1 },
	[AP_UPLOAD] = { .name = "UPLOAD", .maxlen = 8192,
	    .max_count = TAP_UPLOAD_MAX },
};

/* The most jobs a list holds without LAST. */
#define LIST_MAX	1000

const char *
async_param(const struct async_req *a, int k)
{
	const struct param_value	*v = params_get(&a->p, k);

	return v != NULL ? v->raw : NULL;
}

void
async_see_other(struct response *r, const char *url)
{
	resp_status(r, 303);
	resp_header(r, "Location", url);
	resp_content_type(r, "text/plain;charset=UTF-8");
	resp_puts(r, "See Other\n");
}

void
async_db_failed(struct response *r, enum db_status st)
{
	if (st == DB_UNAVAILABLE || st == DB_TIMEOUT)
		tap_error(r, 503, "The job database is unavailable; please "
		    "try again later");
	else
		tap_error(r, 500, "Internal error: the job database failed");
}

/*
 * A job's phase words, as the list's filter takes them (UWS 1.1 §2.2.1.1):
 * every phase given, or all but ARCHIVED, as an array literal.  Only the
 * table's own words go into it.
 */
static int
phase_filter(const struct async_req *a, char *buf, size_t size)
{
	const struct param_value	*v = params_get(&a->p, AP_PHASE);
	unsigned			 n = params_count(&a->p, AP_PHASE);
	size_t				 len;
	int				 ph;

	snprintf(buf, size, "{");
	for (int i = 0; i < (n > 0 ? (int)n : UWS_ARCHIVED); i++) {
		if (n > 0 && (ph = uws_phase_parse(v[i].raw)) == -1)
			return -1;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i > 0 ? "," : "",
		    uws_phase_name(n > 0 ? (enum uws_phase)ph :
		    (enum uws_phase)i));
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "}");
	return 0;
}

int
async_time_ok(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789-:.TZ+") == strlen(s);
}

static void
list(struct async_req *a, struct response *r)
{
	const char	*after = async_param(a, AP_AFTER), *vals[3];
	const PGresult	*row;
	struct uws_job	 j;
	struct xmlw	 w;
	enum db_status	 st;
	char		 phases[160], last[32], url[1120];

	if (phase_filter(a, phases, sizeof(phases)) == -1) {
		tap_error(r, 400, "PHASE: not a UWS phase");
		return;
	}
	if (after != NULL && !async_time_ok(after)) {
		tap_error(r, 400, "AFTER: an ISO 8601 time, e.g. "
		    "2026-01-02T03:04:05Z");
		return;
	}
	snprintf(last, sizeof(last), "%lld", params_get(&a->p, AP_LAST) ?
	    params_get(&a->p, AP_LAST)->i : (long long)LIST_MAX);
	vals[0] = phases;
	vals[1] = after;
	vals[2] = last;
	if ((st = db_start(a->t->jobs, JOBS_LIST, 3, vals)) != DB_OK) {
		/* The phases are the table's words: only AFTER can be bad. */
		if (st == DB_ERROR && after != NULL)
			tap_error(r, 400, "AFTER: not a time");
		else
			async_db_failed(r, st);
		return;
	}
	uws_doc_jobs_begin(&w, r);
	while ((row = db_next(a->t->jobs, &st)) != NULL)
		if (uws_job_from_row(row, &j) == 0) {
			snprintf(url, sizeof(url), "%s/%s", a->list_url, j.id);
			uws_doc_jobref(&w, &j, url);
		}
	db_end(a->t->jobs);
	uws_doc_jobs_end(&w);
}

int
async_may_queue(struct async_req *a, struct response *r)
{
	const PGresult	*row;
	enum db_status	 st;
	long		 n = 0;

	if ((st = db_start(a->t->jobs, JOBS_QUEUED, 0, NULL)) != DB_OK) {
		async_db_failed(r, st);
		return 0;
	}
	if ((row = db_next(a->t->jobs, &st)) != NULL)
		n = atol(PQgetvalue(row, 0, 0));
	db_end(a->t->jobs);
	if (n < a->t->cfg->tap.max_queued)
		return 1;
	tap_error(r, 503, "Too many jobs are waiting to run; please try "
	    "again later");
	return 0;
}

enum db_status
async_change_with_parts(struct async_req *a, const char *name, int n,
    const char *const *values, const char *id, int *rows, char *out,
    size_t outsize)
{
	struct db	*db = a->t->jobs;
	enum db_status	 st;

	/* No upload, no transaction: the statement is all of it. */
	if (params_count(&a->p, AP_UPLOAD) == 0)
		return tap_jobs_change(a->t, name, n, values, rows, out,
		    outsize);
	if ((st = db_exec(db, "BEGIN")) != DB_OK)
		return st;
	if ((st = tap_jobs_change(a->t, name, n, values, rows, out,
	    outsize)) == DB_OK && *rows == 1)
		st = tap_jobs_store_parts(a->t, id != NULL ? id : out, &a->p,
		    AP_UPLOAD);
	if (st == DB_OK && *rows == 1)
		st = db_exec(db, "COMMIT");
	else
		(void)db_exec(db, "ROLLBACK");
	return st;
}

static void
create(struct async_req *a, struct response *r)
{
	const struct config_tap	*cfg = &a->t->cfg->tap;
	const char		*phase = async_param(a, AP_PHASE), *vals[10];
	const struct param_value	*v;
	struct strbuf		 upload = STRBUF_INIT;
	char			 dur[32], life[32], id[65], url[1120];
	enum db_status		 st;
	int			 rows, run = 0;

	if (phase != NULL && !(run = strcmp(phase, "RUN") == 0)) {
		tap_error(r, 400, "PHASE: only RUN may be given with a new "
		    "job");
		return;
	}
	/* PHASE=RUN at creation queues the job at once. */
	if (run && !async_may_queue(a, r))
		return;
	/* UWS 1.1 §2.2.3: a job may be created with its duration. */
	snprintf(dur, sizeof(dur), "%ld", cfg->execution_duration);
	if ((v = params_get(&a->p, AP_EXECUTIONDURATION)) != NULL)
		snprintf(dur, sizeof(dur), "%lld", v->i >
		    cfg->max_execution_duration ?
		    (long long)cfg->max_execution_duration : v->i);
	snprintf(life, sizeof(life), "%ld", cfg->destruction);
	vals[0] = async_param(a, AP_RUNID);
	vals[1] = async_param(a, AP_LANG);
	vals[2] = async_param(a, AP_QUERY);
	vals[3] = async_param(a, AP_MAXREC);
	/* RESPONSEFORMAT wins over its older name. */
	if ((vals[4] = async_param(a, AP_RESPONSEFORMAT)) == NULL)
		vals[4] = async_param(a, AP_FORMAT);
	vals[5] = async_param(a, AP_REQUEST);
	vals[6] = dur;
	vals[7] = life;
	vals[8] = run ? "QUEUED" : "PENDING";
	if (tap_jobs_upload_text(&a->p, AP_UPLOAD, &upload, &vals[9]) == -1)
		st = DB_ERROR;
	else
		st = async_change_with_parts(a, JOBS_NEW, 10, vals, NULL,
		    &rows, id, sizeof(id));
	strbuf_free(&upload);
	if (st != DB_OK || rows != 1) {
		async_db_failed(r, st);
		return;
	}
	snprintf(r->note, sizeof(r->note), "job %.32s", id);
	snprintf(url, sizeof(url), "%s/%s", a->list_url, id);
	async_see_other(r, url);
}

/* A job id as this service makes them: letters and digits. */
static int
id_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

/*
 * Where the request is: the service's URL (configured, or the request's
 * scheme, Host and path up to /async), the job and the sub-resource.  0,
 * or -1 for a path under /async that names nothing.
 */
static int
locate(struct async_req *a, const char *at)
{
	const struct request	*req = a->req;
	const char		*rest = at + 6, *slash;
	size_t			 n;

	if (*a->t->cfg->tap.public_url != '\0')
		snprintf(a->list_url, sizeof(a->list_url), "%s/async",
		    a->t->cfg->tap.public_url);
	else
		snprintf(a->list_url, sizeof(a->list_url), "%s://%s%.*s/async",
		    req->scheme, req->host, (int)(at - req->path), req->path);
	a->sub = "";
	if (*rest == '/')
		rest++;
	if (*rest == '\0')
		return 0;
	n = (slash = strchr(rest, '/')) != NULL ? (size_t)(slash - rest) :
	    strlen(rest);
	if (!id_ok(rest, n))
		return -1;
	snprintf(a->id, sizeof(a->id), "%.*s", (int)n, rest);
	snprintf(a->job_url, sizeof(a->job_url), "%s/%s", a->list_url, a->id);
	if (slash != NULL)
		a->sub = slash + 1;
	return 0;
}

void
tap_async(struct tap *t, const struct request *req, struct response *r)
{
	struct async_req	 a;
	const char		*at = strstr(req->path, "/async");
	char			 err[256];

	memset(&a, 0, sizeof(a));
	a.t = t;
	a.req = req;
	if (at == NULL || locate(&a, at) == -1) {
		tap_error(r, 404, "no such job");
		return;
	}
	if (params_parse(&a.p, req, rules, AP__MAX,
	    (size_t)t->cfg->request.max_params) != PARAMS_OK) {
		tap_error(r, a.p.err == PARAMS_EBODY ? 413 : 400,
		    params_error(&a.p, err, sizeof(err)));
	} else if (*a.id != '\0') {
		tap_job(&a, r);
	} else if (strcmp(req->method, "POST") == 0) {
		create(&a, r);
	} else if (strcmp(req->method, "DELETE") == 0) {
		resp_header(r, "Allow", "GET, POST, HEAD");
		tap_error(r, 405, "the job list takes GET and POST");
	} else {
		list(&a, r);
	}
	params_free(&a.p);
}
