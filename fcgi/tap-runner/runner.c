/*
 * runner: tap-runner's main thread: start the workers, listen for the
 * jobs' notifications, cancel what is aborted, keep house every tick, and
 * stop cleanly on SIGTERM.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>

#include "db.h"
#include "log.h"
#include "runner.h"
#include "signals.h"
#include "tap.h"
#include "tap_int.h"

static struct runner	*the_runner;

static void
on_signal(int sig)
{
	(void)sig;
	if (the_runner != NULL)
		the_runner->stopping = 1;
}

static void
on_hangup(int sig)
{
	(void)sig;
	if (the_runner != NULL)
		the_runner->hangups++;
}

void
runner_wake(struct runner *rn)
{
	pthread_mutex_lock(&rn->mu);
	rn->wakes++;
	pthread_cond_broadcast(&rn->wake);
	pthread_mutex_unlock(&rn->mu);
}

/* Cancel the query of every worker running job ID (NULL: all), for WHY. */
static void
cancel_jobs(struct runner *rn, const char *id, enum runner_cancel why)
{
	char	 err[256];

	pthread_mutex_lock(&rn->mu);
	for (int i = 0; i < rn->nworkers; i++) {
		struct worker *w = &rn->workers[i];

		if (w->job[0] == '\0' || (id != NULL && strcmp(w->job, id) != 0))
			continue;
		w->cancelled = why;
		if (w->cancel != NULL && !PQcancel(w->cancel, err, sizeof(err)))
			log_warn("job %s: cannot cancel: %s", w->job, err);
	}
	pthread_mutex_unlock(&rn->mu);
}

/* The listening connection, or NULL (tried again at the next tick). */
static PGconn *
listen_open(const struct config *cfg)
{
	const char *const	 keys[] = { "application_name", "dbname", NULL };
	const char *const	 vals[] = { "tap-runner listen",
				    cfg->database.conninfo, NULL };
	PGconn			*c = PQconnectdbParams(keys, vals, 1);
	PGresult		*res;

	if (PQstatus(c) != CONNECTION_OK) {
		log_error("database unavailable: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	res = PQexec(c, "LISTEN uws_job");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		log_error("LISTEN: %s", PQresultErrorMessage(res));
		PQclear(res);
		PQfinish(c);
		return NULL;
	}
	PQclear(res);
	return c;
}

/* "<id> <PHASE>" or "<id> DELETED", from sql/50_uws.sql's trigger. */
static void
notified(struct runner *rn, const char *payload)
{
	const char	*sp = strchr(payload, ' ');
	char		 id[65];

	if (sp == NULL || (size_t)(sp - payload) >= sizeof(id))
		return;
	snprintf(id, sizeof(id), "%.*s", (int)(sp - payload), payload);
	if (strcmp(sp + 1, "QUEUED") == 0)
		runner_wake(rn);
	else if (strcmp(sp + 1, "ABORTED") == 0 ||
	    strcmp(sp + 1, "DELETED") == 0)
		cancel_jobs(rn, id, CANCEL_ABORT);
}

/* Wait up to MS for notifications and act on them. */
static void
listen_once(struct runner *rn, int ms)
{
	struct pollfd	 pfd;
	PGnotify	*n;

	if (rn->listen == NULL || PQstatus(rn->listen) != CONNECTION_OK) {
		PQfinish(rn->listen);
		if ((rn->listen = listen_open(rn->cfg)) == NULL) {
			poll(NULL, 0, ms);
			return;
		}
		runner_wake(rn);	/* what was queued meanwhile */
	}
	pfd.fd = PQsocket(rn->listen);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) <= 0)
		return;
	if (!PQconsumeInput(rn->listen)) {
		log_warn("database: %s", PQerrorMessage(rn->listen));
		return;
	}
	while ((n = PQnotifies(rn->listen)) != NULL) {
		notified(rn, n->extra);
		PQfreemem(n);
	}
}

static long
ms_now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Until told to stop: notifications as they come, housekeeping per tick. */
static void
serve(struct runner *rn)
{
	long	 next = 0, now;

	while (!rn->stopping) {
		if ((now = ms_now()) >= next) {
			runner_tick(rn);
			runner_wake(rn);
			next = now + RUNNER_TICK_MS;
		}
		listen_once(rn, (int)(next - now));
	}
	cancel_jobs(rn, NULL, CANCEL_STOP);
	runner_wake(rn);
}

/* The results folder, made when missing (nginx reads it: 0755). */
static int
results_dir(const struct config *cfg)
{
	const char	*dir = cfg->tap.results_dir;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		log_error("[tap] results_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (access(dir, W_OK | X_OK) == -1) {
		log_error("[tap] results_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
workers_start(struct runner *rn)
{
	char		 err[256];
	sigset_t	 all, old;
	int		 rc = 0;

	/* Signals are the main thread's: the workers block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < rn->nworkers && rc == 0; i++) {
		struct worker *w = &rn->workers[i];

		w->rn = rn;
		/*
		 * A runner killed mid-query leaves its query running on the
		 * server; this ends it within seconds instead of at the job's
		 * executionDuration (PostgreSQL 14 and later).
		 */
		if ((w->tap = tap_new(rn->cfg, err, sizeof(err))) == NULL ||
		    db_add_setup(w->tap->db, "SET client_connection_check_"
		    "interval = 2000") != 0 || runner_jobs_open(w) != 0) {
			log_error("out of memory");
			rc = -1;
		} else if (pthread_create(&w->thread, NULL, runner_worker,
		    w) != 0) {
			log_error("cannot start a worker thread");
			rc = -1;
		} else
			w->started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void
workers_stop(struct runner *rn)
{
	for (int i = 0; i < rn->nworkers; i++) {
		struct worker *w = &rn->workers[i];

		if (w->started)
			pthread_join(w->thread, NULL);
		tap_free(w->tap);
		db_free(w->jobs);
	}
	free(rn->workers);
}

int
runner_main(const struct config *cfg, int check)
{
	struct runner		 rn;
	char			 host[64];
	int			 rc = 1;

	memset(&rn, 0, sizeof(rn));
	rn.cfg = cfg;
	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	snprintf(rn.id, sizeof(rn.id), "%s:%ld", host, (long)getpid());
	if (check)
		return printf("runner\t%s\nthreads\t%ld\nresults_dir\t%s\n"
		    "role\t%s\nrunner_role\t%s\n", rn.id,
		    cfg->tap.runner_threads, cfg->tap.results_dir,
		    cfg->tap.role, cfg->tap.runner_role) < 0;
	the_runner = &rn;
	signals_install(on_signal, on_hangup);
	pthread_mutex_init(&rn.mu, NULL);
	pthread_cond_init(&rn.wake, NULL);
	rn.nworkers = (int)cfg->tap.runner_threads;
	if (results_dir(cfg) == 0 && runner_ctl_open(&rn) == 0 &&
	    (rn.workers = calloc((size_t)rn.nworkers,
	    sizeof(*rn.workers))) != NULL && workers_start(&rn) == 0) {
		log_info("running as %s with %d workers", rn.id, rn.nworkers);
		serve(&rn);
		rc = 0;
	}
	rn.stopping = 1;
	runner_wake(&rn);
	if (rn.workers != NULL)
		workers_stop(&rn);
	PQfinish(rn.listen);
	db_free(rn.ctl);
	log_info("stopped");
	return rc;
}
