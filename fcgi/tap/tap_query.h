/*
 * tap_query: the parameters of a TAP query (TAP 1.1 §2.7, DALI 1.1 §3),
 * checked into a struct tap_query by one set of rules, whether they came
 * with a synchronous request or were stored with an async job.
 *
 * REQUEST is optional in TAP 1.1 and only doQuery exists; LANG is
 * required; the single-valued parameters fail when repeated.  Parameters
 * not named here are ignored.  The query points into the struct params it
 * was read from, which the caller frees after the last use of it.
 */
#ifndef RIF_TAP_QUERY_H
#define RIF_TAP_QUERY_H

#include <stddef.h>

#include "config.h"
#include "params.h"
#include "request.h"
#include "tap_exec.h"

/*
 * Check the parameters of REQ into Q, each inline upload given the part
 * of the request it names.  0, or -1 with the reason in ERR (for the
 * client) and the HTTP status it deserves in *STATUS.  P and Q's uploads
 * (tap_uploads_free()) are freed by the caller either way.
 */
int	tap_query_parse(struct params *p, const struct request *req,
	    const struct config *cfg, struct tap_query *q, char *err,
	    size_t errsize, int *status);

/* A job's stored parameters, as the client sent them; any may be NULL. */
struct tap_query_text {
	const char	*lang;
	const char	*query;
	const char	*maxrec;
	const char	*format;	/* RESPONSEFORMAT (or FORMAT) */
	const char	*request;
	const char	*runid;
	const char	*upload;	/* UPLOAD values, joined by ';' */
};

/*
 * The same for IN, as if they had come with a request; the param:
 * uploads are left for the caller to attach the stored parts to.
 */
int	tap_query_from_text(struct params *p, const struct tap_query_text *in,
	    const struct config *cfg, struct tap_query *q, char *err,
	    size_t errsize);

#endif
