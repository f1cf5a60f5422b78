/*
 * tap_exec: one ADQL query, from its text to a result written as the rows
 * come, the same for a synchronous request (to the client) and an async
 * job (to a file, by tap-runner).
 *
 * The query is parsed, checked against the catalogue of the connection it
 * runs on, written anew as SQL and run on the query connection (as
 * [tap] role, read-only).  Nothing is written before the first row is
 * there, so that a query that fails at once is told as an error of its
 * own (tap_outcome says why, with the HTTP status a client would get);
 * what fails later is said at the end of the document (DALI 1.1 §4.4).
 */
#ifndef RIF_TAP_EXEC_H
#define RIF_TAP_EXEC_H

#include "db.h"
#include "response.h"
#include "tap_out.h"
#include "tap_upload.h"

struct tap;

/* What a query asks for, checked (tap_query.h turns text into it). */
struct tap_query {
	const char		*adql;
	long			 maxrec;
	const struct tap_out	*out;
	const char		*content_type;
	const char		*runid;		/* or NULL */
	long			 timeout_s;	/* for the message only */
	struct tap_uploads	 uploads;	/* TAP_UPLOAD tables */
};

/* How a query ended; the caller owns it (no pointers inside). */
struct tap_outcome {
	int		 written;	/* a result document was written */
	int		 status;	/* !written: the HTTP status */
	enum db_status	 db;		/* DB_TIMEOUT: ran out of time */
	char		 message[512];	/* !written, or midway: why */
	long		 rows;
	int		 overflow;	/* more rows than maxrec existed */
	int		 midway;	/* ERROR after the head: the database
					   failed, or a row could not be written */
};

/* Run Q on T, writing the result to R; O says how it went. */
void	tap_exec(struct tap *t, const struct tap_query *q,
	    struct response *r, struct tap_outcome *o);

#endif
