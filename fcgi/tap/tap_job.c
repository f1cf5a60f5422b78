/*
 * tap_job: one job of /async and its sub-resources (UWS 1.1 §2.2): the
 * job document (GET, with WAIT), phase, quote, executionduration,
 * destruction, error, parameters, results, results/result, owner and
 * runId; the changes a client may make (POST, then 303 to the job); and
 * its deletion (ACTION=DELETE or HTTP DELETE, then 303 to the list).
 *
 * The result itself is sent by nginx: the answer only names the file,
 * with X-Accel-Redirect to the internal location that serves the results
 * folder, and its Content-Type.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tap_async.h"
#include "tap_int.h"
#include "tap_jobs.h"
#include "uws.h"
#include "uws_doc.h"

/* nginx's internal location for [tap] results_dir (rucio-ivoa-locations.conf). */
#define RESULTS_LOCATION	"/rucio-ivoa-tap-results/"

/* A text/plain sub-resource: TEXT and a line end, or nothing for NULL. */
static void
plain(struct response *r, const char *text)
{
	resp_content_type(r, "text/plain;charset=UTF-8");
	if (text != NULL)
		resp_printf(r, "%s\n", text);
	else
		resp_finish(r);
}

/* Read the job into *J: 1, or 0 after answering R (404, 503). */
static int
load(struct async_req *a, struct response *r, struct uws_job *j)
{
	enum db_status	 st;
	int		 found;

	if ((st = tap_jobs_get(a->t, a->id, j, &found)) != DB_OK) {
		tap_jobs_end(a->t);
		async_db_failed(r, st);
		return 0;
	}
	if (!found) {
		tap_jobs_end(a->t);
		tap_error(r, 404, "no such job");
		return 0;
	}
	return 1;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000L +
	    (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* The job is in a phase a WAIT blocks in. */
static int
active(const struct uws_job *j)
{
	return j->phase == UWS_PENDING || j->phase == UWS_QUEUED ||
	    j->phase == UWS_EXECUTING;
}

/*
 * UWS 1.1 §2.2.3.1: WAIT=n blocks while the job is PENDING, QUEUED or
 * EXECUTING, until its phase changes or n seconds (-1: the longest this
 * service allows, [tap] max_wait) have passed.  The jobs table announces
 * every change of phase on the channel uws_job ("<id> <PHASE>"), so the
 * connection listens while it waits and reads the job again as soon as
 * its id is announced: a short job's end is seen at once, and a long one
 * costs nothing while it runs.  The LISTEN is in force before the job is
 * first read, so no change is missed in between; it ends before the job
 * is read for the answer.  1 with the job in *J as it is now, or 0 after
 * answering R.
 */
static int
load_waiting(struct async_req *a, struct response *r, struct uws_job *j)
{
	const struct param_value	*v = params_get(&a->p, AP_WAIT);
	struct db			*db = a->t->jobs;
	struct timespec			 t0;
	enum uws_phase			 was;
	char				 prefix[80];
	long				 limit_ms, left;
	int				 go_on;

	if (v == NULL)
		return load(a, r, j);
	/* No LISTEN (the database is going): the job as it is, if it can. */
	if (db_exec(db, "LISTEN uws_job") != DB_OK)
		return load(a, r, j);
	if (!load(a, r, j)) {
		(void)db_exec(db, "UNLISTEN uws_job");
		return 0;
	}
	limit_ms = a->t->cfg->tap.max_wait * 1000L;
	if (v->i >= 0 && v->i * 1000 < limit_ms)
		limit_ms = (long)v->i * 1000;
	was = j->phase;
	go_on = active(j);
	tap_jobs_end(a->t);
	snprintf(prefix, sizeof(prefix), "%s ", a->id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (go_on && (left = limit_ms - ms_since(&t0)) > 0 &&
	    db_wait_notify(db, prefix, left) == 1) {
		/* News of this job: of its phase, or of its deletion. */
		if (!load(a, r, j)) {
			(void)db_exec(db, "UNLISTEN uws_job");
			return 0;
		}
		go_on = j->phase == was;
		tap_jobs_end(a->t);
	}
	(void)db_exec(db, "UNLISTEN uws_job");
	return load(a, r, j);
}

/* Run statement NAME on the job; 303 to TO, 404, or R answered. */
static void
change(struct async_req *a, struct response *r, const char *name, int n,
    const char *const *vals, const char *to)
{
	struct uws_job	 j;
	enum db_status	 st;
	int		 rows;

	/* New parameters may bring uploaded tables with them. */
	if (strcmp(name, JOBS_EDIT) == 0)
		st = async_change_with_parts(a, name, n, vals, a->id, &rows,
		    NULL, 0);
	else
		st = tap_jobs_change(a->t, name, n, vals, &rows, NULL, 0);
	if (st != DB_OK) {
		if (st == DB_ERROR)
			tap_error(r, 400, "a value the job cannot take");
		else
			async_db_failed(r, st);
		return;
	}
	/* Nothing changed: no such job, or one past the change (no-op). */
	if (rows == 0) {
		if (!load(a, r, &j))
			return;
		tap_jobs_end(a->t);
	}
	async_see_other(r, to);
}

/* POST phase: PHASE=RUN queues the job, PHASE=ABORT ends it. */
static void
post_phase(struct async_req *a, struct response *r)
{
	const char	*phase = async_param(a, AP_PHASE), *vals[3];
	char		 from[128];
	enum uws_action	 act;

	if (phase != NULL && strcmp(phase, "RUN") == 0)
		act = UWS_RUN;
	else if (phase != NULL && strcmp(phase, "ABORT") == 0)
		act = UWS_ABORT;
	else {
		tap_error(r, 400, "PHASE: RUN or ABORT");
		return;
	}
	if (act == UWS_RUN && !async_may_queue(a, r))
		return;
	vals[0] = a->id;
	vals[1] = act == UWS_RUN ? "QUEUED" : "ABORTED";
	vals[2] = uws_from(act, from, sizeof(from));
	change(a, r, JOBS_PHASE, 3, vals, a->job_url);
}

/* POST parameters: while PENDING (RUNID at any time). */
static void
post_parameters(struct async_req *a, struct response *r)
{
	const char	*vals[9];
	char		 from[128];
	struct strbuf	 upload = STRBUF_INIT;

	vals[0] = a->id;
	vals[1] = uws_from(UWS_EDIT, from, sizeof(from));
	vals[2] = async_param(a, AP_RUNID);
	vals[3] = async_param(a, AP_LANG);
	vals[4] = async_param(a, AP_QUERY);
	vals[5] = async_param(a, AP_MAXREC);
	if ((vals[6] = async_param(a, AP_RESPONSEFORMAT)) == NULL)
		vals[6] = async_param(a, AP_FORMAT);
	vals[7] = async_param(a, AP_REQUEST);
	if (tap_jobs_upload_text(&a->p, AP_UPLOAD, &upload, &vals[8]) == -1)
		tap_error(r, 500, "Internal error: out of memory");
	else
		change(a, r, JOBS_EDIT, 9, vals, a->job_url);
	strbuf_free(&upload);
}

/* POST executionduration: while PENDING, at most the service's limit. */
static void
post_duration(struct async_req *a, struct response *r)
{
	const struct param_value	*v = params_get(&a->p,
					    AP_EXECUTIONDURATION);
	const char			*vals[3];
	char				 from[128], secs[32];
	long				 max;

	if (v == NULL) {
		tap_error(r, 400, "EXECUTIONDURATION: missing");
		return;
	}
	max = a->t->cfg->tap.max_execution_duration;
	snprintf(secs, sizeof(secs), "%lld", v->i > max ? (long long)max :
	    v->i);
	vals[0] = a->id;
	vals[1] = uws_from(UWS_EDIT, from, sizeof(from));
	vals[2] = secs;
	change(a, r, JOBS_DURATION, 3, vals, a->job_url);
}

/* POST destruction: any time, no later than the service keeps jobs. */
static void
post_destruction(struct async_req *a, struct response *r)
{
	const char	*when = async_param(a, AP_DESTRUCTION), *vals[3];
	char		 life[32];

	if (when == NULL || !async_time_ok(when)) {
		tap_error(r, 400, "DESTRUCTION: an ISO 8601 time, e.g. "
		    "2026-01-02T03:04:05Z");
		return;
	}
	snprintf(life, sizeof(life), "%ld", a->t->cfg->tap.destruction);
	vals[0] = a->id;
	vals[1] = when;
	vals[2] = life;
	change(a, r, JOBS_DESTRUCT, 3, vals, a->job_url);
}

static void
delete_job(struct async_req *a, struct response *r)
{
	const char	*vals[1] = { a->id };

	change(a, r, JOBS_DELETE, 1, vals, a->list_url);
}

/* results/result: nginx sends the file the runner wrote. */
static void
result(struct response *r, const struct uws_job *j)
{
	char	 loc[128];

	if (j->phase != UWS_COMPLETED) {
		tap_error(r, 404, "the job has no result (yet)");
		return;
	}
	snprintf(loc, sizeof(loc), "%s%s", RESULTS_LOCATION, j->id);
	resp_content_type(r, j->result_type != NULL ? j->result_type :
	    "application/x-votable+xml");
	resp_header(r, "X-Accel-Redirect", loc);
	resp_finish(r);
}

/* GET of a sub-resource of the job J (read, and ended by the caller). */
static void
get_sub(struct async_req *a, struct response *r, const struct uws_job *j)
{
	const char	*s = a->sub;
	char		 num[32];

	if (strcmp(s, "") == 0) {
		uws_doc_job(r, j, a->job_url);
	} else if (strcmp(s, "phase") == 0) {
		plain(r, uws_phase_name(j->phase));
	} else if (strcmp(s, "quote") == 0) {
		plain(r, j->quote);
	} else if (strcmp(s, "executionduration") == 0) {
		snprintf(num, sizeof(num), "%ld", j->execution_duration);
		plain(r, num);
	} else if (strcmp(s, "destruction") == 0) {
		plain(r, j->destruction);
	} else if (strcmp(s, "owner") == 0) {
		plain(r, j->owner);
	} else if (strcmp(s, "runId") == 0 || strcmp(s, "runid") == 0) {
		plain(r, j->run_id);
	} else if (strcmp(s, "error") == 0 && j->phase == UWS_ERROR) {
		/* TAP 1.1 §2.2: a DALI error document, with HTTP 200. */
		tap_error(r, 200, j->error != NULL ? j->error :
		    "The job failed");
	} else if (strcmp(s, "parameters") == 0) {
		uws_doc_parameters(r, j);
	} else if (strcmp(s, "results") == 0) {
		uws_doc_results(r, j, a->job_url);
	} else if (strcmp(s, "results/result") == 0) {
		result(r, j);
	} else {
		tap_error(r, 404, "no such resource of a job");
	}
}

static void
post_sub(struct async_req *a, struct response *r)
{
	const char	*s = a->sub, *action = async_param(a, AP_ACTION);

	if (strcmp(s, "") == 0 && action != NULL &&
	    strcmp(action, "DELETE") == 0)
		delete_job(a, r);
	else if (strcmp(s, "") == 0)
		tap_error(r, 400, "ACTION: DELETE is the only action on a job");
	else if (strcmp(s, "phase") == 0)
		post_phase(a, r);
	else if (strcmp(s, "parameters") == 0)
		post_parameters(a, r);
	else if (strcmp(s, "executionduration") == 0)
		post_duration(a, r);
	else if (strcmp(s, "destruction") == 0)
		post_destruction(a, r);
	else {
		resp_header(r, "Allow", "GET, HEAD");
		tap_error(r, 405, "this resource of a job takes GET only");
	}
}

void
tap_job(struct async_req *a, struct response *r)
{
	struct uws_job	 j;

	if (strcmp(a->req->method, "POST") == 0) {
		post_sub(a, r);
	} else if (strcmp(a->req->method, "DELETE") == 0) {
		if (*a->sub == '\0') {
			delete_job(a, r);
		} else {
			resp_header(r, "Allow", "GET, POST, HEAD");
			tap_error(r, 405, "only the job itself is deleted");
		}
	} else if (load_waiting(a, r, &j)) {
		get_sub(a, r, &j);
		tap_jobs_end(a->t);
	}
}
