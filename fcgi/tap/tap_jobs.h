/*
 * tap_jobs: tap.fcgi's side of the uws.job table: the connection it is
 * reached on (as [tap] jobs_role) and the statements the REST resources
 * of /async use, each a prepared statement with parameters.
 *
 * A job read with tap_jobs_get() points into the current row, which
 * stays valid until tap_jobs_end().
 */
#ifndef RIF_TAP_JOBS_H
#define RIF_TAP_JOBS_H

#include "db.h"
#include "params.h"
#include "strbuf.h"
#include "uws.h"

struct tap;

/* The statements, by name, and their parameters. */
#define JOBS_GET	"job_get"	/* id */
#define JOBS_LIST	"job_list"	/* phases[], after, last */
#define JOBS_NEW	"job_new"	/* run_id, lang, query, maxrec, format,
					   request, duration, lifetime, phase,
					   upload */
#define JOBS_PART	"job_part"	/* id, part, base64 content */
#define JOBS_QUEUED	"job_queued"	/* (none): how many wait to run */
#define JOBS_PHASE	"job_phase"	/* id, phase, from phases[] */
#define JOBS_DELETE	"job_delete"	/* id */
#define JOBS_EDIT	"job_edit"	/* id, from[], run_id, lang, query,
					   maxrec, format, request, upload */
#define JOBS_DURATION	"job_duration"	/* id, from[], seconds */
#define JOBS_DESTRUCT	"job_destruct"	/* id, time, lifetime */

/* Make T's jobs connection (opened on first use); -1: out of memory. */
int		 tap_jobs_open(struct tap *);

/* The job ID into *J (*FOUND 0 when there is none); then tap_jobs_end(). */
enum db_status	 tap_jobs_get(struct tap *, const char *id,
		    struct uws_job *j, int *found);
void		 tap_jobs_end(struct tap *);

/*
 * Run the changing statement NAME with its N parameters; *ROWS is how
 * many rows it changed.  With OUT, the first column of the first row is
 * copied there (the new job's id).
 */
enum db_status	 tap_jobs_change(struct tap *, const char *name, int n,
		    const char *const *values, int *rows, char *out,
		    size_t outsize);

/*
 * The UPLOAD values of P joined by ';' into OUT (NULL when there are
 * none; -1 when memory runs out).
 */
int		 tap_jobs_upload_text(const struct params *p, int k,
		    struct strbuf *out, const char **text);
/*
 * Store for job ID each part of P that the UPLOAD values (parameter K)
 * name as param:X, for tap-runner to find.  Values that do not parse
 * store nothing: running the job then ends it with what is wrong.
 */
enum db_status	 tap_jobs_store_parts(struct tap *, const char *id,
		    const struct params *p, int k);

#endif
