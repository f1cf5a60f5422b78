/*
 * runner_sweep: the main thread's housekeeping, every tick: the heartbeat
 * of this runner's jobs, the jobs of runners that stopped answering, and
 * the removal of deleted and expired jobs with their result files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "runner.h"

/* Jobs removed at one tick, at most: the rest wait for the next. */
#define SWEEP_BATCH	"200"

/* Each returns rows (db.h takes no other statement). */
static const struct db_statement statements[] = {
	/* Only the jobs a worker holds now: see runner_work.c, hold(). */
	{ "heartbeat", "UPDATE uws.job SET heartbeat = pg_catalog.now() "
	    "WHERE runner = $1 AND phase = 'EXECUTING' AND id "
	    "OPERATOR(pg_catalog.=) ANY ($2::text[]) RETURNING id", 2 },
	/*
	 * A runner that gave no sign of life for runner_stale seconds was
	 * killed or lost its host: its jobs end, never to stay EXECUTING.
	 */
	{ "stale", "UPDATE uws.job SET phase = 'ERROR', end_time = "
	    "pg_catalog.now(), error_message = 'The runner of this job "
	    "stopped before it ended; please submit it again', runner = NULL "
	    "WHERE phase = 'EXECUTING' AND heartbeat < pg_catalog.now() - "
	    "pg_catalog.make_interval(secs => $1::integer) RETURNING id", 1 },
	/* A job still EXECUTING is removed once its runner has let go. */
	{ "expired", "DELETE FROM uws.job WHERE id IN (SELECT id FROM uws.job "
	    "WHERE (deleted OR destruction < pg_catalog.now()) AND phase <> "
	    "'EXECUTING' LIMIT " SWEEP_BATCH ") RETURNING id", 0 },
};

int
runner_ctl_open(struct runner *rn)
{
	const struct config	*cfg = rn->cfg;

	if ((rn->ctl = db_new(&cfg->database, "tap-runner")) == NULL ||
	    db_add_role(rn->ctl, cfg->tap.runner_role) != 0)
		return -1;
	return db_add_statements(rn->ctl, statements,
	    sizeof(statements) / sizeof(statements[0]));
}

/*
 * The result files of a removed job (ID is the table's: letters and
 * digits): the result, and what a runner killed while writing it left.
 */
static void
remove_files(struct runner *rn, const char *id)
{
	static const char *const suffixes[] = { "", ".tmp" };
	char			 path[4200];

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s%s",
		    rn->cfg->tap.results_dir, id, suffixes[i]);
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("cannot remove %s: %s", path,
			    strerror(errno));
	}
}

/* Run NAME; with EACH, call it for the first column of every row. */
static void
ctl_run(struct runner *rn, const char *name, int n, const char *const *v,
    void (*each)(struct runner *, const char *))
{
	const PGresult	*row;
	enum db_status	 st;

	if ((st = db_start(rn->ctl, name, n, v)) != DB_OK) {
		if (st != DB_UNAVAILABLE)
			log_error("%s: %s", name, db_last_error(rn->ctl));
		return;
	}
	while ((row = db_next(rn->ctl, &st)) != NULL)
		if (each != NULL)
			each(rn, PQgetvalue(row, 0, 0));
	db_end(rn->ctl);
}

static void
ended_stale(struct runner *rn, const char *id)
{
	(void)rn;
	log_warn("job %s: its runner stopped answering; ended as ERROR", id);
}

/*
 * The jobs the workers hold, as an array literal: ids are the table's own
 * (letters and digits), so nothing needs quoting.
 */
static void
held(struct runner *rn, char *buf, size_t size)
{
	size_t	 n;

	pthread_mutex_lock(&rn->mu);
	snprintf(buf, size, "{");
	for (int i = 0; i < rn->nworkers; i++) {
		if (rn->workers[i].job[0] == '\0')
			continue;
		n = strlen(buf);
		snprintf(buf + n, size - n, "%s%s", n > 1 ? "," : "",
		    rn->workers[i].job);
	}
	pthread_mutex_unlock(&rn->mu);
	n = strlen(buf);
	snprintf(buf + n, size - n, "}");
}

void
runner_tick(struct runner *rn)
{
	const char	*beat[2];
	char		 stale[32], ids[64 * 66 + 3];
	const char	*s = stale;

	snprintf(stale, sizeof(stale), "%ld", rn->cfg->tap.runner_stale);
	held(rn, ids, sizeof(ids));
	beat[0] = rn->id;
	beat[1] = ids;
	ctl_run(rn, "heartbeat", 2, beat, NULL);
	ctl_run(rn, "stale", 1, &s, ended_stale);
	ctl_run(rn, "expired", 0, NULL, remove_files);
}
