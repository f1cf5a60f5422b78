/*
 * runner_work: one worker of tap-runner: claim a queued job, run its query
 * into a file, record how it ended; wait for a wake-up when the queue is
 * empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "db.h"
#include "log.h"
#include "params.h"
#include "response.h"
#include "runner.h"
#include "tap.h"
#include "tap_exec.h"
#include "tap_int.h"
#include "tap_query.h"
#include "tap_upload.h"
#include "uws.h"
#include "uws_row.h"

/* A job's error when the database went before its query could run. */
#define DB_GONE	"The database is unavailable; please submit the job again later"

/* Stored parts a job may bring: each upload once, and as many again. */
#define PARTS_MAX	(2 * TAP_UPLOAD_MAX)
#define PARTS_MAX_SQL	"32"

/* The parts of a job, read from the jobs table. */
struct parts {
	unsigned char	*data[PARTS_MAX];
	int		 n;
};

/* What a worker copies out of the claimed row before running it. */
struct job {
	char	*id, *lang, *query, *maxrec, *format, *request, *run_id;
	char	*upload;
	long	 duration;			/* seconds */
};

/* How a job ended, for the finish statement. */
struct ending {
	enum uws_phase	 phase;
	const char	*error;		/* ERROR: the message */
	long		 rows;
	int		 overflow;
	const char	*type;
	long long	 size;
};

static const struct db_statement statements[] = {
	/* The oldest queued job, never one another runner is claiming. */
	{ "claim", "UPDATE uws.job SET phase = 'EXECUTING', start_time = "
	    "pg_catalog.now(), runner = $1, heartbeat = pg_catalog.now() "
	    "WHERE id = (SELECT id FROM uws.job WHERE phase "
	    "OPERATOR(pg_catalog.=) ANY ($2::text[]) AND NOT deleted ORDER BY "
	    "queued_time, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "
	    UWS_JOB_COLUMNS, 2 },
	/* Still ours, and not aborted or deleted meanwhile? */
	{ "mine", "SELECT 1 FROM uws.job WHERE id = $1 AND runner = $2 AND "
	    "phase = 'EXECUTING' AND NOT deleted", 2 },
	{ "finish", "UPDATE uws.job SET phase = $3, end_time = "
	    "pg_catalog.now(), error_message = $4, result_rows = $5::bigint, "
	    "result_overflow = $6::boolean, result_type = $7, result_size = "
	    "$8::bigint, runner = NULL WHERE id = $1 AND runner = $2 AND "
	    "phase = 'EXECUTING' RETURNING id", 8 },
	{ "requeue", "UPDATE uws.job SET phase = 'QUEUED', start_time = NULL, "
	    "runner = NULL, queued_time = pg_catalog.now() WHERE id = $1 AND "
	    "runner = $2 AND phase = 'EXECUTING' RETURNING id", 2 },
	/* The tables the job was sent with (TAP_UPLOAD). */
	{ "parts", "SELECT part, content FROM uws.upload WHERE job_id = $1 "
	    "ORDER BY part LIMIT " PARTS_MAX_SQL, 1 },
};

int
runner_jobs_open(struct worker *w)
{
	const struct config	*cfg = w->rn->cfg;

	if ((w->jobs = db_new(&cfg->database, "tap-runner jobs")) == NULL ||
	    db_add_role(w->jobs, cfg->tap.runner_role) != 0)
		return -1;
	return db_add_statements(w->jobs, statements,
	    sizeof(statements) / sizeof(statements[0]));
}

/* Run statement NAME; the number of rows it gave, or -1 on failure. */
static int
exec_rows(struct worker *w, const char *name, int n, const char *const *v)
{
	enum db_status	 st;
	int		 rows = 0;

	if ((st = db_start(w->jobs, name, n, v)) != DB_OK) {
		log_error("%s: %s", name, db_last_error(w->jobs));
		return -1;
	}
	while (db_next(w->jobs, &st) != NULL)
		rows++;
	db_end(w->jobs);
	return st == DB_OK ? rows : -1;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
job_free(struct job *j)
{
	free(j->id);
	free(j->lang);
	free(j->query);
	free(j->maxrec);
	free(j->format);
	free(j->request);
	free(j->run_id);
	free(j->upload);
}

/* Claim the next queued job into *J: 1, or 0 when there is none. */
static int
claim(struct worker *w, struct job *j)
{
	const PGresult	*row;
	struct uws_job	 u;
	enum db_status	 st;
	const char	*v[2];
	char		 from[64];
	int		 got = 0;

	v[0] = w->rn->id;
	v[1] = uws_from(UWS_CLAIM, from, sizeof(from));
	if ((st = db_start(w->jobs, "claim", 2, v)) != DB_OK)
		return 0;
	memset(j, 0, sizeof(*j));
	if ((row = db_next(w->jobs, &st)) != NULL &&
	    uws_job_from_row(row, &u) == 0) {
		j->id = strdup(u.id);
		j->lang = dup_or_null(u.lang);
		j->query = dup_or_null(u.query);
		j->maxrec = dup_or_null(u.maxrec);
		j->format = dup_or_null(u.format);
		j->request = dup_or_null(u.request);
		j->run_id = dup_or_null(u.run_id);
		j->upload = dup_or_null(u.upload);
		j->duration = u.execution_duration;
		got = j->id != NULL;
	}
	db_end(w->jobs);
	if (!got)
		job_free(j);
	return got;
}

static void
finish(struct worker *w, const struct job *j, const struct ending *e)
{
	char		 rows[32], size[32];
	const char	*v[8];

	snprintf(rows, sizeof(rows), "%ld", e->rows);
	snprintf(size, sizeof(size), "%lld", e->size);
	v[0] = j->id;
	v[1] = w->rn->id;
	v[2] = uws_phase_name(e->phase);
	v[3] = e->error;
	v[4] = e->phase == UWS_COMPLETED ? rows : NULL;
	v[5] = e->phase == UWS_COMPLETED ? (e->overflow ? "true" : "false") :
	    NULL;
	v[6] = e->phase == UWS_COMPLETED ? e->type : NULL;
	v[7] = e->phase == UWS_COMPLETED ? size : NULL;
	if (exec_rows(w, "finish", 8, v) != 1 && e->phase == UWS_COMPLETED)
		/* Aborted, deleted or destroyed meanwhile: not wanted. */
		log_info("job %s: ended elsewhere; result dropped", j->id);
	log_info("job %s: %s%s%s", j->id, v[2], e->error ? ": " : "",
	    e->error ? e->error : "");
}

static void
fail(struct worker *w, const struct job *j, const char *why)
{
	struct ending	 e = { UWS_ERROR, why, 0, 0, NULL, 0 };

	finish(w, j, &e);
}

static int
file_sink(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Run the job's own time limit on the query connection. */
static int
set_timeout(struct worker *w, long seconds)
{
	char		 sql[128];
	enum db_status	 st;

	snprintf(sql, sizeof(sql), "SELECT pg_catalog.set_config("
	    "'statement_timeout', '%ld', false)", seconds * 1000);
	if ((st = db_start_sql(w->tap->db, sql)) != DB_OK)
		return -1;
	while (db_next(w->tap->db, &st) != NULL)
		;
	db_end(w->tap->db);
	return st == DB_OK ? 0 : -1;
}

/*
 * The job the worker holds, which the main thread's heartbeat keeps alive
 * (ID; "" when it holds none).  A job a worker lets go of without ending
 * it (its database was gone) then goes stale and ends as ERROR.
 */
static void
hold(struct worker *w, const char *id)
{
	pthread_mutex_lock(&w->rn->mu);
	snprintf(w->job, sizeof(w->job), "%s", id);
	pthread_mutex_unlock(&w->rn->mu);
}

/*
 * Make the query cancellable by the main thread, then look once more that
 * the job is still ours: an ABORT that came before the handle was there
 * would otherwise go unseen.  1 to go on, 0 when the job is not ours any
 * more, -1 when the database did not say.
 */
static int
arm(struct worker *w, const struct job *j)
{
	const char	*v[2] = { j->id, w->rn->id };

	pthread_mutex_lock(&w->rn->mu);
	w->cancel = db_cancel_handle(w->tap->db);
	w->cancelled = w->rn->stopping ? CANCEL_STOP : CANCEL_NONE;
	pthread_mutex_unlock(&w->rn->mu);
	return exec_rows(w, "mine", 2, v);
}

static enum runner_cancel
disarm(struct worker *w)
{
	enum runner_cancel	 c;

	pthread_mutex_lock(&w->rn->mu);
	if (w->cancel != NULL)
		PQfreeCancel(w->cancel);
	w->cancel = NULL;
	c = w->cancelled;
	w->cancelled = CANCEL_NONE;
	pthread_mutex_unlock(&w->rn->mu);
	return c;
}

/* How the query ended, once the file is closed (CLOSED_OK 0 on failure). */
static void
conclude(struct worker *w, const struct job *j, const struct tap_query *q,
    const struct tap_outcome *o, int closed_ok, const char *tmp,
    const char *path)
{
	struct ending	 e = { UWS_COMPLETED, NULL, o->rows, o->overflow,
			    q->content_type, 0 };
	struct stat	 sb;
	char		 msg[600];

	if (!o->written || o->midway) {
		unlink(tmp);
		if (o->db == DB_TIMEOUT) {
			snprintf(msg, sizeof(msg), "The query ran longer than "
			    "the job's executionDuration of %ld s and was "
			    "cancelled", j->duration);
			fail(w, j, msg);
		} else
			fail(w, j, o->message);
		return;
	}
	if (!closed_ok || rename(tmp, path) == -1) {
		log_error("job %s: cannot write %s: %s", j->id, path,
		    strerror(errno));
		unlink(tmp);
		fail(w, j, "Internal error: the result could not be stored");
		return;
	}
	e.size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
	finish(w, j, &e);
}

static void
parts_free(struct parts *ps)
{
	for (int i = 0; i < ps->n; i++)
		PQfreemem(ps->data[i]);
	ps->n = 0;
}

/*
 * Give Q's uploads their data: the parts stored with the job, and the
 * tables at their URLs.  0, or -1 with the job's error in ERR.
 */
static int
uploads(struct worker *w, const struct job *j, struct tap_query *q,
    struct parts *ps, char *err, size_t errsize)
{
	const PGresult	*row;
	enum db_status	 st;
	size_t		 len;

	if (q->uploads.n == 0)
		return 0;
	if ((st = db_start(w->jobs, "parts", 1, (const char *[]){ j->id })) !=
	    DB_OK) {
		snprintf(err, errsize, "%s", DB_GONE);
		return -1;
	}
	while ((row = db_next(w->jobs, &st)) != NULL && ps->n < PARTS_MAX) {
		ps->data[ps->n] = PQunescapeBytea((const unsigned char *)
		    PQgetvalue(row, 0, 1), &len);
		if (ps->data[ps->n] != NULL)
			tap_upload_attach(&q->uploads, PQgetvalue(row, 0, 0),
			    (const char *)ps->data[ps->n++], len);
	}
	db_end(w->jobs);
	if (st != DB_OK) {
		snprintf(err, errsize, "The job's uploaded tables cannot be "
		    "read; please submit the job again later");
		return -1;
	}
	if (tap_upload_check(&q->uploads, err, errsize) == -1)
		return -1;
	return tap_upload_fetch(&q->uploads, w->tap->http, &w->rn->cfg->tap,
	    w->rn->cfg->http.timeout, err, errsize);
}

/* Run the claimed job J to its end. */
static void
run(struct worker *w, struct job *j)
{
	const struct config		*cfg = w->rn->cfg;
	const struct tap_query_text	 text = { j->lang, j->query, j->maxrec,
					    j->format, j->request, j->run_id,
					    j->upload };
	struct parts			 parts = { .n = 0 };
	struct tap_outcome		 o;
	struct tap_query		 q;
	struct response			 r;
	struct params			 p;
	enum runner_cancel		 c;
	char				 err[512], tmp[4300], path[4200];
	FILE				*fp = NULL;
	int				 fd, closed_ok, mine = -1;

	/* TAP 1.1 §2.3: a job's parameters are checked when it runs. */
	if (tap_query_from_text(&p, &text, cfg, &q, err, sizeof(err)) == -1 ||
	    uploads(w, j, &q, &parts, err, sizeof(err)) == -1) {
		tap_uploads_free(&q.uploads);
		parts_free(&parts);
		params_free(&p);
		fail(w, j, err);
		return;
	}
	/* tap.fcgi keeps to this limit; a row written by hand may not. */
	if (j->duration > cfg->tap.max_execution_duration)
		j->duration = cfg->tap.max_execution_duration;
	q.timeout_s = j->duration;
	snprintf(path, sizeof(path), "%s/%s", cfg->tap.results_dir, j->id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1 || (fp = fdopen(fd, "w")) == NULL) {
		log_error("job %s: %s: %s", j->id, tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		tap_uploads_free(&q.uploads);
		parts_free(&parts);
		params_free(&p);
		fail(w, j, "Internal error: the result cannot be written");
		return;
	}
	if (set_timeout(w, j->duration) == -1 || (mine = arm(w, j)) != 1) {
		disarm(w);
		fclose(fp);
		unlink(tmp);
		tap_uploads_free(&q.uploads);
		parts_free(&parts);
		params_free(&p);
		if (mine == 0)
			log_info("job %s: ended before it ran", j->id);
		else
			fail(w, j, DB_GONE);
		return;
	}
	resp_init_body(&r, file_sink, fp);
	tap_exec(w->tap, &q, &r, &o);
	c = disarm(w);
	closed_ok = fflush(fp) == 0 && !ferror(fp) && !resp_failed(&r);
	closed_ok = fclose(fp) == 0 && closed_ok;
	if (c != CANCEL_NONE) {
		const char	*v[2] = { j->id, w->rn->id };

		unlink(tmp);
		/* Stopping: back to the queue; aborted: already ended. */
		if (c == CANCEL_STOP)
			exec_rows(w, "requeue", 2, v);
		log_info("job %s: %s", j->id, c == CANCEL_STOP ? "requeued" :
		    "aborted");
	} else
		conclude(w, j, &q, &o, closed_ok, tmp, path);
	tap_uploads_free(&q.uploads);
	parts_free(&parts);
	params_free(&p);
}

/* Wait for a wake-up after SEEN, or RUNNER_TICK_MS at most. */
static void
idle(struct runner *rn, unsigned long seen)
{
	struct timespec	 until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += RUNNER_TICK_MS / 1000 + 1;
	pthread_mutex_lock(&rn->mu);
	while (rn->wakes == seen && !rn->stopping)
		if (pthread_cond_timedwait(&rn->wake, &rn->mu, &until) != 0)
			break;
	pthread_mutex_unlock(&rn->mu);
}

void *
runner_worker(void *arg)
{
	struct worker	*w = arg;
	struct runner	*rn = w->rn;
	struct job	 j;
	unsigned long	 seen;

	while (!rn->stopping) {
		pthread_mutex_lock(&rn->mu);
		seen = rn->wakes;
		pthread_mutex_unlock(&rn->mu);
		if (claim(w, &j)) {
			/* SIGHUP: the job reads TAP_SCHEMA afresh. */
			if (w->hangups != rn->hangups) {
				w->hangups = rn->hangups;
				tap_catalog_forget(w->tap);
			}
			log_info("job %s: running", j.id);
			hold(w, j.id);
			run(w, &j);
			hold(w, "");
			job_free(&j);
			continue;
		}
		idle(rn, seen);
	}
	return NULL;
}
