#include <stdlib.h>
#include <string.h>

#include "uws_row.h"

/* Column K of ROW, or NULL for SQL NULL. */
static const char *
col(const PGresult *row, int k)
{
	return PQgetisnull(row, 0, k) ? NULL : PQgetvalue(row, 0, k);
}

int
uws_job_from_row(const PGresult *row, struct uws_job *j)
{
	const char	*s;
	int		 phase;

	memset(j, 0, sizeof(*j));
	if (PQnfields(row) != 20 || (s = col(row, 3)) == NULL ||
	    (phase = uws_phase_parse(s)) == -1)
		return -1;
	j->id = col(row, 0);
	j->run_id = col(row, 1);
	j->owner = col(row, 2);
	j->phase = (enum uws_phase)phase;
	j->quote = col(row, 4);
	j->creation_time = col(row, 5);
	j->start_time = col(row, 6);
	j->end_time = col(row, 7);
	j->execution_duration = (s = col(row, 8)) != NULL ? atol(s) : 0;
	j->destruction = col(row, 9);
	j->lang = col(row, 10);
	j->query = col(row, 11);
	j->maxrec = col(row, 12);
	j->format = col(row, 13);
	j->request = col(row, 14);
	j->error = col(row, 15);
	j->result_type = col(row, 16);
	j->result_rows = (s = col(row, 17)) != NULL ? atoll(s) : -1;
	j->result_overflow = (s = col(row, 18)) != NULL && *s == 't';
	j->upload = col(row, 19);
	return 0;
}
