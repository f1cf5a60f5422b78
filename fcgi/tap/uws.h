/*
 * uws: the UWS 1.1 job model: phases, the actions that change them, and
 * the job as tap.fcgi and tap-runner read it from the uws.job table.
 *
 * Which phase an action leads to, and from which phases it may start, is
 * this table's; the SQL that changes a job names the allowed phases it
 * gives (uws_from()), so that two workers acting on one job at once
 * cannot take it anywhere the table does not allow.
 */
#ifndef RIF_UWS_H
#define RIF_UWS_H

#include <stddef.h>

enum uws_phase {
	UWS_PENDING,
	UWS_QUEUED,
	UWS_EXECUTING,
	UWS_COMPLETED,
	UWS_ERROR,
	UWS_ABORTED,
	UWS_UNKNOWN,
	UWS_HELD,
	UWS_SUSPENDED,
	UWS_ARCHIVED,
	UWS__PHASES
};

enum uws_action {
	UWS_RUN,	/* PHASE=RUN: queue it */
	UWS_ABORT,	/* PHASE=ABORT */
	UWS_CLAIM,	/* a runner starts it */
	UWS_FINISH,	/* a runner ends it: COMPLETED or ERROR */
	UWS_EDIT,	/* change its parameters or execution duration */
	UWS__ACTIONS
};

/* The phase's UWS name ("PENDING"), or NULL for none. */
const char	*uws_phase_name(enum uws_phase);
/* The phase called NAME (exactly, as UWS writes it); -1 for none. */
int		 uws_phase_parse(const char *name);
/* Is a job in P still to end (PENDING, QUEUED, EXECUTING...)? */
int		 uws_phase_active(enum uws_phase p);

/*
 * The phase ACTION leads to (for UWS_FINISH: COMPLETED; ERROR is the same
 * step), or -1 when it may not start from FROM.
 */
int		 uws_next(enum uws_phase from, enum uws_action action);
/*
 * The phases ACTION may start from, as a PostgreSQL array literal
 * ("{PENDING,HELD}") for the SQL that changes the job.
 */
const char	*uws_from(enum uws_action action, char *buf, size_t size);

/* A job as the table holds it; every string may be NULL (SQL NULL). */
struct uws_job {
	const char	*id;
	const char	*run_id;
	const char	*owner;
	enum uws_phase	 phase;
	const char	*quote;		/* ISO 8601 UTC, "...Z" */
	const char	*creation_time;
	const char	*start_time;
	const char	*end_time;
	long		 execution_duration;	/* seconds */
	const char	*destruction;
	/* The parameters as sent: LANG, QUERY, ... (NULL: not given). */
	const char	*lang, *query, *maxrec, *format, *request;
	const char	*upload;	/* UPLOAD values, joined by ';' */
	const char	*error;		/* the error message, for ERROR */
	const char	*result_type;	/* Content-Type of the result */
	long long	 result_rows;
	int		 result_overflow;
};

#endif
