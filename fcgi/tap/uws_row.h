/*
 * uws_row: a row of uws.job read into a struct uws_job, for tap.fcgi and
 * tap-runner alike.  Statements select UWS_JOB_COLUMNS, in that order;
 * times come out as UWS 1.1 writes them (ISO 8601, UTC, "Z").
 *
 * The job points into the row, which stays the caller's (db.h: valid
 * until the next db_next() or db_end()).
 */
#ifndef RIF_UWS_ROW_H
#define RIF_UWS_ROW_H

#include <libpq-fe.h>

#include "uws.h"

#define UWS_ISO(col)	"pg_catalog.to_char(" col " AT TIME ZONE 'UTC', " \
			"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

#define UWS_JOB_COLUMNS	"id, run_id, owner, phase, " UWS_ISO("quote") ", " \
	UWS_ISO("creation_time") ", " UWS_ISO("start_time") ", " \
	UWS_ISO("end_time") ", execution_duration, " \
	UWS_ISO("destruction") ", lang, query, maxrec, format, request, " \
	"error_message, result_type, result_rows, result_overflow, upload"

/* Fill J from ROW (UWS_JOB_COLUMNS); -1 for a phase it does not know. */
int	uws_job_from_row(const PGresult *row, struct uws_job *j);

#endif
