/*
 * tap_sync: the synchronous query endpoint, /sync: the parameters checked
 * (tap_query.h), the query run and its rows sent as they come
 * (tap_exec.h), or a DALI error document.
 */
#include <stdio.h>

#include "params.h"
#include "tap_exec.h"
#include "tap_int.h"
#include "tap_query.h"

void
tap_sync(void *state, const struct request *req, struct response *r)
{
	struct tap		*t = state;
	struct params		 p;
	struct tap_query	 q;
	struct tap_outcome	 o;
	char			 err[512];
	int			 status;

	if (tap_query_parse(&p, req, t->cfg, &q, err, sizeof(err),
	    &status) == -1) {
		tap_error(r, status, err);
	} else if (tap_upload_fetch(&q.uploads, t->http, &t->cfg->tap,
	    t->cfg->http.timeout, err, sizeof(err)) == -1) {
		tap_error(r, 400, err);
	} else {
		tap_exec(t, &q, r, &o);
		if (!o.written)
			tap_error(r, o.status, o.message);
		else
			snprintf(r->note, sizeof(r->note), "%ld rows%s", o.rows,
			    o.overflow ? " (overflow)" : "");
	}
	tap_uploads_free(&q.uploads);
	params_free(&p);
}
