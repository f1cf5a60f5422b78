/*
 * tap_async: what the modules of /async share: the parameters every UWS
 * resource may take, one request's view of where it is (the service's
 * public URL, the job list's, the job and sub-resource it names), and the
 * answers they all give (303 See Other, a database that failed).
 *
 * tap_async.c routes /async and serves the job list; tap_job.c one job
 * and its sub-resources.  Strings in struct async_req are its own or the
 * request's, valid while the request is served.
 */
#ifndef RIF_TAP_ASYNC_H
#define RIF_TAP_ASYNC_H

#include "db.h"
#include "params.h"
#include "request.h"
#include "response.h"

struct tap;

/* Parameters of the UWS resources, case-insensitive (DALI 1.1 §3.1). */
enum {
	AP_LANG,
	AP_QUERY,
	AP_MAXREC,
	AP_RESPONSEFORMAT,
	AP_FORMAT,
	AP_REQUEST,
	AP_RUNID,
	AP_PHASE,
	AP_ACTION,
	AP_EXECUTIONDURATION,
	AP_DESTRUCTION,
	AP_WAIT,
	AP_AFTER,
	AP_LAST,
	AP_UPLOAD,
	AP__MAX
};

struct async_req {
	struct tap		*t;
	const struct request	*req;
	struct params		 p;
	char			 list_url[1024];	/* .../async */
	char			 job_url[1100];		/* .../async/{id} */
	char			 id[65];		/* "" for the list */
	const char		*sub;	/* "phase", "results/result"...: or "" */
};

/*
 * Run statement NAME with its N VALUES, then store the request's
 * uploaded parts for job ID (its id when NULL: what NAME returns), both
 * in one transaction; *ROWS and OUT as tap_jobs_change() has them.
 */
enum db_status	 async_change_with_parts(struct async_req *, const char *name,
		    int n, const char *const *values, const char *id,
		    int *rows, char *out, size_t outsize);

/* The value of parameter K, or NULL. */
const char	*async_param(const struct async_req *, int k);

/* 303 See Other to URL (UWS: after every change). */
void		 async_see_other(struct response *, const char *url);
/* The answer when the jobs table could not be reached or read. */
void		 async_db_failed(struct response *, enum db_status);

/* Is S made of the characters of an ISO 8601 time?  (The server parses.) */
int		 async_time_ok(const char *s);
/* May one more job be QUEUED ([tap] max_queued)?  If not, R says so. */
int		 async_may_queue(struct async_req *, struct response *r);

/* One job and its sub-resources (tap_job.c). */
void		 tap_job(struct async_req *, struct response *);

#endif
