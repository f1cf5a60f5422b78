#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adql_parse.h"
#include "params.h"
#include "strbuf.h"
#include "tap_out.h"
#include "tap_query.h"
#include "tap_upload.h"

/*
 * TAP 1.1 §2.7 and DALI 1.1 §3: REQUEST is optional in TAP 1.1 and only
 * doQuery exists; LANG is required; the single-valued parameters fail when
 * repeated.  UPLOAD may come several times, each value naming one table
 * or several joined by ';' (tap_upload.h).
 */
enum {
	TQ_REQUEST,
	TQ_LANG,
	TQ_QUERY,
	TQ_MAXREC,
	TQ_RESPONSEFORMAT,
	TQ_FORMAT,
	TQ_RUNID,
	TQ_UPLOAD,
	TQ__MAX
};

static const char *const requests[] = { "doQuery", NULL };
static const char *const langs[] = { "ADQL", "ADQL-2.0", "ADQL-2.1", NULL };

/* V is one of the rule's NULL-ended words, in any case. */
static int
one_of(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	const char *const	*w;

	for (w = r->valid_arg; *w != NULL; w++)
		if (strcasecmp(v->raw, *w) == 0)
			return 0;
	if (r->valid_arg == langs)
		snprintf(why, whysize, "%s: this service takes ADQL (ADQL, "
		    "ADQL-2.0 or ADQL-2.1)", r->name);
	else
		snprintf(why, whysize, "%s: %s is the only value taken",
		    r->name, *(const char *const *)r->valid_arg);
	return -1;
}

static const struct param_rule rules[TQ__MAX] = {
	[TQ_REQUEST] = { .name = "REQUEST", .type = PARAM_STRING,
	    .maxlen = 32, .max_count = 1, .valid = one_of,
	    .valid_arg = requests },
	[TQ_LANG] = { .name = "LANG", .type = PARAM_STRING, .maxlen = 32,
	    .max_count = 1, .required = 1, .valid = one_of,
	    .valid_arg = langs },
	[TQ_QUERY] = { .name = "QUERY", .type = PARAM_STRING,
	    .maxlen = ADQL_MAX_INPUT, .max_count = 1, .required = 1 },
	[TQ_MAXREC] = { .name = "MAXREC", .type = PARAM_INT, .max = 1e18,
	    .max_count = 1 },
	[TQ_RESPONSEFORMAT] = { .name = "RESPONSEFORMAT",
	    .type = PARAM_STRING, .maxlen = 256, .max_count = 1,
	    .valid = tap_out_valid },
	[TQ_FORMAT] = { .name = "FORMAT", .type = PARAM_STRING,
	    .maxlen = 256, .max_count = 1, .valid = tap_out_valid },
	[TQ_RUNID] = { .name = "RUNID", .type = PARAM_STRING, .maxlen = 64,
	    .max_count = 1 },
	[TQ_UPLOAD] = { .name = "UPLOAD", .type = PARAM_STRING,
	    .maxlen = 8192, .max_count = TAP_UPLOAD_MAX },
};


static void
read_query(const struct params *p, const struct config_tap *cfg,
    struct tap_query *q)
{
	const struct param_value	*v;

	q->adql = params_get(p, TQ_QUERY)->raw;
	q->maxrec = cfg->maxrec_default;
	if ((v = params_get(p, TQ_MAXREC)) != NULL)
		q->maxrec = v->i > cfg->maxrec_limit ? cfg->maxrec_limit :
		    (long)v->i;
	/* RESPONSEFORMAT wins over its older name. */
	if ((v = params_get(p, TQ_RESPONSEFORMAT)) == NULL)
		v = params_get(p, TQ_FORMAT);
	q->out = tap_out_find(v != NULL ? v->raw : NULL, &q->content_type);
	q->runid = (v = params_get(p, TQ_RUNID)) != NULL ? v->raw : NULL;
	q->timeout_s = (cfg->statement_timeout + 999) / 1000;
}

/* The tables of every UPLOAD value, each inline one found in P's parts. */
static int
read_uploads(const struct params *p, struct tap_query *q, char *err,
    size_t errsize)
{
	const struct param_value	*v = params_get(p, TQ_UPLOAD);

	q->uploads.n = 0;
	for (unsigned i = 0; i < params_count(p, TQ_UPLOAD); i++)
		if (tap_upload_parse(&q->uploads, v[i].raw, err,
		    errsize) == -1)
			return -1;
	return 0;
}

/* The parameters of REQ into Q, its uploads not yet given their data. */
static int
parse(struct params *p, const struct request *req, const struct config *cfg,
    struct tap_query *q, char *err, size_t errsize, int *status)
{
	memset(q, 0, sizeof(*q));
	if (params_parse(p, req, rules, TQ__MAX,
	    (size_t)cfg->request.max_params) != PARAMS_OK) {
		*status = p->err == PARAMS_EBODY ? 413 : 400;
		params_error(p, err, errsize);
		return -1;
	}
	read_query(p, &cfg->tap, q);
	*status = 400;
	return read_uploads(p, q, err, errsize);
}

int
tap_query_parse(struct params *p, const struct request *req,
    const struct config *cfg, struct tap_query *q, char *err,
    size_t errsize, int *status)
{
	if (parse(p, req, cfg, q, err, errsize, status) == -1)
		return -1;
	return tap_upload_resolve(&q->uploads, p, err, errsize);
}

/* NAME=VALUE, percent-encoded, after an '&' unless first. */
static int
add_pair(struct strbuf *qs, const char *name, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s;
	int			 rc;

	if (value == NULL)
		return 0;
	rc = strbuf_printf(qs, "%s%s=", qs->len > 0 ? "&" : "", name);
	for (s = (const unsigned char *)value; rc == 0 && *s != '\0'; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			rc = strbuf_add(qs, s, 1);
		else
			rc = strbuf_printf(qs, "%%%c%c", hex[*s >> 4],
			    hex[*s & 15]);
	return rc;
}

static const char *
no_env(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/*
 * A job's parameters go through the very rules a request's do: written
 * as the query string of a request, which params_parse() decodes again.
 */
int
tap_query_from_text(struct params *p, const struct tap_query_text *in,
    const struct config *cfg, struct tap_query *q, char *err,
    size_t errsize)
{
	struct strbuf	 qs = STRBUF_INIT;
	struct request	 req;
	int		 status, rc;

	memset(&req, 0, sizeof(req));
	memset(p, 0, sizeof(*p));
	if (add_pair(&qs, "LANG", in->lang) || add_pair(&qs, "QUERY",
	    in->query) || add_pair(&qs, "MAXREC", in->maxrec) ||
	    add_pair(&qs, "RESPONSEFORMAT", in->format) ||
	    add_pair(&qs, "REQUEST", in->request) ||
	    add_pair(&qs, "RUNID", in->runid) ||
	    add_pair(&qs, "UPLOAD", in->upload)) {
		strbuf_free(&qs);
		snprintf(err, errsize, "Internal error: out of memory");
		return -1;
	}
	req.method = "GET";
	req.path = "/async";
	req.query = strbuf_str(&qs);
	req.content_type = req.remote_addr = req.scheme = req.host = "";
	req.body = "";
	req.getenv = no_env;
	rc = parse(p, &req, cfg, q, err, errsize, &status);
	/* The values were copied out of the query string: it may go. */
	strbuf_free(&qs);
	return rc;
}
