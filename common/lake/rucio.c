#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authed.h"
#include "log.h"
#include "rucio.h"

/* Renew this long before Rucio says the token expires. */
#define TOKEN_MARGIN	60

struct rucio {
	char	*url;
	char	*account;
	char	*username;
	char	*password;
	char	*token_file;
	struct oauth2 *oauth2;	/* tokens from an OAuth2 client instead */
	char	 token[4096];
	time_t	 expires;	/* 0: no token */
	struct token_source source;
};

static const char	*lend_token(void *, struct http *, int *, char *,
			    size_t);
static void		 forget_token(void *);

static char *
dup_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

struct rucio *
rucio_new(const struct rucio_opts *o)
{
	struct rucio	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->url = http_base_url(o->url);
	r->account = dup_or_null(o->account);
	r->username = dup_or_null(o->username);
	r->password = dup_or_null(o->password);
	r->token_file = dup_or_null(o->token_file);
	if (o->oauth2 != NULL) {
		if ((r->oauth2 = oauth2_new(o->oauth2)) == NULL) {
			rucio_free(r);
			return NULL;
		}
		r->source = token_oauth2(r->oauth2);
	} else {
		r->source.get = lend_token;
		r->source.forget = forget_token;
		r->source.ctx = r;
	}
	if (r->url == NULL) {
		rucio_free(r);
		return NULL;
	}
	return r;
}

void
rucio_free(struct rucio *r)
{
	if (r == NULL)
		return;
	free(r->url);
	free(r->account);
	free(r->username);
	free(r->password);
	free(r->token_file);
	oauth2_free(r->oauth2);
	explicit_bzero(r->token, sizeof(r->token));
	free(r);
}

/* "Wed, 20 May 2026 13:00:00 UTC" (Rucio's format) as a time. */
static time_t
parse_expiry(const char *s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%a, %d %b %Y %H:%M:%S", &tm) == NULL)
		return time(NULL) + 300;	/* unknown: assume a short life */
	return timegm(&tm);
}

static enum upstream_status
token_from_file(struct rucio *r, char *err, size_t errsize)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(r->token_file, "r")) == NULL) {
		snprintf(err, errsize, "cannot read the Rucio token file");
		return UP_FATAL;
	}
	n = fread(r->token, 1, sizeof(r->token) - 1, f);
	fclose(f);
	while (n > 0 && (r->token[n - 1] == '\n' || r->token[n - 1] == '\r' ||
	    r->token[n - 1] == ' '))
		n--;
	r->token[n] = '\0';
	/* Whoever writes the file renews it; read it again now and then. */
	r->expires = time(NULL) + 60;
	return n > 0 ? UP_OK : UP_FATAL;
}

static enum upstream_status
token_from_userpass(struct rucio *r, struct http *h, char *err, size_t errsize)
{
	char			 u[512], p[512], a[512], url[2048], exp[128];
	const char		*hdrs[] = { u, p, r->account ? a : NULL, NULL };
	struct http_reply	 rep;
	enum http_err		 e;

	snprintf(u, sizeof(u), "X-Rucio-Username: %s", r->username);
	snprintf(p, sizeof(p), "X-Rucio-Password: %s", r->password);
	snprintf(a, sizeof(a), "X-Rucio-Account: %s", r->account ? r->account : "");
	snprintf(url, sizeof(url), "%s/auth/userpass", r->url);
	e = http_call(h, "GET", url, hdrs, NULL, &rep, err, errsize);
	explicit_bzero(p, sizeof(p));
	if (e != HTTP_OK || rep.status >= 500) {
		http_reply_free(&rep);
		return UP_TRANSIENT;
	}
	if (rep.status != 200 || http_reply_header(&rep, "X-Rucio-Auth-Token",
	    r->token, sizeof(r->token)) == NULL) {
		snprintf(err, errsize, "Rucio refused the credentials (HTTP %ld)",
		    rep.status);
		http_reply_free(&rep);
		return UP_FATAL;
	}
	r->expires = parse_expiry(http_reply_header(&rep,
	    "X-Rucio-Auth-Token-Expires", exp, sizeof(exp))) - TOKEN_MARGIN;
	http_reply_free(&rep);
	return UP_OK;
}

/*
 * The token source of this Rucio without an OAuth2 client: a token from
 * the token file or from /auth/userpass, kept until shortly before Rucio
 * says it expires.
 */
static const char *
lend_token(void *ctx, struct http *h, int *transient, char *err,
    size_t errsize)
{
	struct rucio		*r = ctx;
	enum upstream_status	 st;

	*transient = 0;
	if (r->expires != 0 && time(NULL) < r->expires)
		return r->token;
	r->expires = 0;
	st = r->token_file != NULL ? token_from_file(r, err, errsize) :
	    token_from_userpass(r, h, err, errsize);
	*transient = st == UP_TRANSIENT;
	return st == UP_OK ? r->token : NULL;
}

static void
forget_token(void *ctx)
{
	struct rucio	*r = ctx;

	r->expires = 0;
}

/* One authenticated call, renewing the token once on a 401. */
static enum upstream_status
call(struct rucio *r, struct http *h, const char *method, const char *url,
    const char *accept, const char *body, struct http_reply *rep, char *err,
    size_t errsize)
{
	const char	*hdrs[] = { accept, body != NULL ?
			    "Content-Type: application/json" : NULL, NULL };

	return authed_call(h, &r->source, "X-Rucio-Auth-Token: ", "Rucio",
	    method, url, hdrs, body, rep, err, errsize);
}

/* The /replicas/list body: the DID and, when given, the schemes wanted. */
static char *
replicas_body(const struct did *d, const char *const *schemes)
{
	json_t	*list = NULL, *body;
	char	*text;

	if (schemes != NULL && (list = json_array()) != NULL)
		for (; *schemes != NULL; schemes++)
			if (json_array_append_new(list,
			    json_string(*schemes)) == -1) {
				json_decref(list);
				return NULL;
			}
	if (schemes != NULL && list == NULL)
		return NULL;
	/* "o*" leaves the key out when LIST is NULL and takes its reference. */
	body = json_pack("{s:[{s:s,s:s}],s:o*}", "dids", "scope", d->scope,
	    "name", d->name, "schemes", list);
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return text;
}

enum upstream_status
rucio_replicas(struct rucio *r, struct http *h, const struct did *d,
    const char *const *schemes, struct rucio_files *out, char *err,
    size_t errsize)
{
	char			 url[2048];
	struct http_reply	 rep;
	char			*text;
	enum upstream_status	 st;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s/replicas/list", r->url);
	text = replicas_body(d, schemes);
	if (text == NULL) {
		snprintf(err, errsize, "out of memory");
		return UP_TRANSIENT;
	}
	st = call(r, h, "POST", url, "Accept: application/x-json-stream", text,
	    &rep, err, errsize);
	free(text);
	if (st != UP_OK)
		return st;
	if (rep.status != 200)
		st = authed_unexpected(rep.status, "Rucio /replicas/list", err,
		    errsize);
	else if (rucio_parse_replicas(strbuf_str(&rep.body), out, err,
	    errsize) == -1)
		st = UP_FATAL;
	http_reply_free(&rep);
	return st;
}

enum upstream_status
rucio_meta(struct rucio *r, struct http *h, const struct did *d, json_t **meta,
    char *err, size_t errsize)
{
	struct strbuf		 url = STRBUF_INIT;
	struct http_reply	 rep;
	json_error_t		 je;
	enum upstream_status	 st;

	*meta = NULL;
	/* Names may hold '/': encoded as %2F, as Rucio's own client does. */
	if (strbuf_printf(&url, "%s/dids", r->url) == -1 ||
	    http_add_segment(&url, d->scope) == -1 ||
	    http_add_segment(&url, d->name) == -1 ||
	    strbuf_puts(&url, "/meta?plugin=POSTGRES_JSON") == -1) {
		strbuf_free(&url);
		snprintf(err, errsize, "cannot build the metadata URL");
		return UP_FATAL;
	}
	st = call(r, h, "GET", strbuf_str(&url), "Accept: application/json",
	    NULL, &rep, err, errsize);
	strbuf_free(&url);
	if (st != UP_OK)
		return st;
	if (rep.status == 200) {
		*meta = json_loads(strbuf_str(&rep.body), 0, &je);
		if (!json_is_object(*meta)) {
			json_decref(*meta);
			*meta = NULL;
			snprintf(err, errsize, "Rucio metadata is not a JSON "
			    "object");
			st = UP_FATAL;
		}
	} else if (rep.status != 404)
		st = authed_unexpected(rep.status, "Rucio metadata", err,
		    errsize);
	http_reply_free(&rep);
	return st;
}

int
rucio_rse_parse(struct rucio_rse *rse, const char *name, const json_t *pfns)
{
	json_t	*p;
	size_t	 i;

	rse->name = strdup(name);
	rse->pfns = calloc(json_array_size(pfns) + 1, sizeof(*rse->pfns));
	if (rse->name == NULL || rse->pfns == NULL)
		return -1;
	json_array_foreach(pfns, i, p)
		if (json_is_string(p) &&
		    (rse->pfns[rse->npfns++] = strdup(json_string_value(p))) == NULL)
			return -1;
	return 0;
}

/* One line: {"scope", "name", "bytes", "rses": {RSE: [pfn, ...]}, ...}. */
static int
parse_file(struct rucio_file *f, json_t *line)
{
	json_t		*rses = json_object_get(line, "rses"), *pfns;
	const char	*rse;

	f->scope = strdup(json_string_value(json_object_get(line, "scope")));
	f->name = strdup(json_string_value(json_object_get(line, "name")));
	f->bytes = json_is_integer(json_object_get(line, "bytes")) ?
	    json_integer_value(json_object_get(line, "bytes")) : -1;
	if (f->scope == NULL || f->name == NULL)
		return -1;
	f->rses = calloc(json_object_size(rses) + 1, sizeof(*f->rses));
	if (f->rses == NULL)
		return -1;
	json_object_foreach(rses, rse, pfns)
		if (json_is_array(pfns) &&
		    rucio_rse_parse(&f->rses[f->nrses++], rse, pfns) == -1)
			return -1;
	return 0;
}

int
rucio_parse_replicas(const char *body, struct rucio_files *out, char *err,
    size_t errsize)
{
	json_t			*line;
	json_error_t		 je;
	struct rucio_file	*v;
	const char		*p = body, *eol;

	memset(out, 0, sizeof(*out));
	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = p + strcspn(p, "\n");
		if (strspn(p, " \t\r") >= (size_t)(eol - p))
			continue;	/* blank line */
		line = json_loadb(p, (size_t)(eol - p), 0, &je);
		if (!json_is_object(line) ||
		    !json_is_string(json_object_get(line, "scope")) ||
		    !json_is_string(json_object_get(line, "name"))) {
			json_decref(line);
			snprintf(err, errsize, "Rucio /replicas/list: a line is "
			    "not a replica object");
			rucio_files_free(out);
			return -1;
		}
		v = realloc(out->v, (size_t)(out->n + 1) * sizeof(*v));
		if (v != NULL) {
			out->v = v;
			memset(&v[out->n], 0, sizeof(*v));
		}
		if (v == NULL || parse_file(&out->v[out->n++], line) == -1) {
			json_decref(line);
			snprintf(err, errsize, "out of memory");
			rucio_files_free(out);
			return -1;
		}
		json_decref(line);
	}
	return 0;
}

void
rucio_files_free(struct rucio_files *fs)
{
	for (int i = 0; i < fs->n; i++) {
		struct rucio_file *f = &fs->v[i];
		for (int j = 0; j < f->nrses; j++) {
			for (int k = 0; k < f->rses[j].npfns; k++)
				free(f->rses[j].pfns[k]);
			free(f->rses[j].pfns);
			free(f->rses[j].name);
		}
		free(f->rses);
		free(f->scope);
		free(f->name);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}
