/*
 * runner: tap-runner, the daemon that runs the async jobs of tap.fcgi.
 *
 * One process runs [tap] runner_threads workers.  Each worker claims a
 * QUEUED job (SELECT ... FOR UPDATE SKIP LOCKED, so that runners on any
 * number of hosts never take the same job), runs its query exactly as
 * /sync does (tap_exec.h, on a query connection of its own, as [tap]
 * role, read-only), with statement_timeout set to the job's
 * executionDuration, writes the result into [tap] results_dir under a
 * temporary name and renames it into place, and records how the job
 * ended.
 *
 * The main thread listens on the channel uws_job (sql/50_uws.sql): a job
 * QUEUED wakes the workers; a job ABORTED or deleted has its query
 * cancelled (PQcancel) by the worker's handle.  Every RUNNER_TICK_MS it
 * also marks its running jobs alive (heartbeat), ends as ERROR the
 * EXECUTING jobs of runners silent for [tap] runner_stale seconds, removes
 * deleted and expired jobs with their files, and wakes the workers, in
 * case a notification was missed.
 *
 * SIGTERM and SIGINT stop it: running queries are cancelled and their
 * jobs put back in the queue for another runner.  SIGHUP makes each
 * worker read TAP_SCHEMA again before its next job, as tap.fcgi does.
 */
#ifndef RIF_RUNNER_H
#define RIF_RUNNER_H

#include <pthread.h>
#include <signal.h>

#include <libpq-fe.h>

#include "config.h"

#define RUNNER_TICK_MS	1000

struct tap;
struct db;

/* Why a worker's query was cancelled. */
enum runner_cancel {
	CANCEL_NONE,
	CANCEL_ABORT,	/* the job was aborted or deleted */
	CANCEL_STOP	/* the runner stops: the job goes back to the queue */
};

struct runner;

struct worker {
	struct runner		*rn;
	pthread_t		 thread;
	int			 started;
	struct tap		*tap;		/* the query connection */
	struct db		*jobs;		/* uws.job, as runner_role */
	/* Under rn->mu: the job running, and how to stop its query. */
	char			 job[65];
	PGcancel		*cancel;
	enum runner_cancel	 cancelled;
	sig_atomic_t		 hangups;	/* rn->hangups acted on */
};

struct runner {
	const struct config	*cfg;
	char			 id[128];	/* host:pid, in uws.job.runner */
	struct db		*ctl;		/* the main thread's statements */
	PGconn			*listen;
	pthread_mutex_t		 mu;
	pthread_cond_t		 wake;
	unsigned long		 wakes;		/* under mu: bumped per wake */
	volatile sig_atomic_t	 stopping;
	volatile sig_atomic_t	 hangups;	/* SIGHUPs received */
	struct worker		*workers;
	int			 nworkers;
};

/*
 * The whole of tap-runner after its configuration is read: run until
 * stopped (0), or with CHECK print what it would run as and return.  1
 * when it cannot start.
 */
int	 runner_main(const struct config *cfg, int check);

/* The workers (runner_work.c). */
void	*runner_worker(void *worker);
/* Open a worker's jobs connection; -1 when memory runs out. */
int	 runner_jobs_open(struct worker *);

/* Wake every worker (with mu not held). */
void	 runner_wake(struct runner *);

/* The main thread's housekeeping (runner_sweep.c). */
int	 runner_ctl_open(struct runner *);
void	 runner_tick(struct runner *);

#endif
