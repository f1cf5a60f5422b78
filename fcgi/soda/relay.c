#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "relay.h"

/* Enough of an error answer to pass it on or to see what it is. */
#define ERROR_BODY_MAX	(64 * 1024)

enum leg_mode {
	LEG_PASS,	/* a success: relayed to the client */
	LEG_ERROR,	/* an error answer: kept, then passed on or wrapped */
	LEG_SKIP	/* the site is unavailable: try the next one */
};

/* One attempt at one site. */
struct leg {
	struct response	*r;
	int		 more;		/* another site may be tried */
	enum leg_mode	 mode;
	long		 status;
	char		 ctype[128];
	char		 www_auth[512];
	struct strbuf	 body;		/* LEG_ERROR only */
};

/* The headers of a success that are the client's business. */
static const char *const passed[] = {
	"Content-Length", "Content-Disposition", "Content-Encoding", NULL
};

static int
on_head(void *ctx, long status, const struct strbuf *headers)
{
	struct leg	*l = ctx;
	const char	*text = strbuf_str(headers);
	char		 v[1024];

	l->status = status;
	if (http_header(text, "Content-Type", l->ctype, sizeof(l->ctype)) == NULL)
		snprintf(l->ctype, sizeof(l->ctype), "application/octet-stream");
	if (status >= 200 && status < 300) {
		l->mode = LEG_PASS;
		resp_status(l->r, (int)status);
		resp_content_type(l->r, l->ctype);
		for (int i = 0; passed[i] != NULL; i++)
			if (http_header(text, passed[i], v, sizeof(v)) != NULL)
				resp_header(l->r, passed[i], v);
		return 0;
	}
	if (l->more && (status == 502 || status == 503 || status == 504)) {
		l->mode = LEG_SKIP;
		return -1;
	}
	l->mode = LEG_ERROR;
	if (http_header(text, "WWW-Authenticate", l->www_auth,
	    sizeof(l->www_auth)) == NULL)
		*l->www_auth = '\0';
	return 0;
}

static int
on_data(void *ctx, const char *buf, size_t len)
{
	struct leg	*l = ctx;

	if (l->mode == LEG_PASS)
		return resp_write(l->r, buf, len);
	if (l->body.len + len > ERROR_BODY_MAX)
		return -1;	/* enough to tell what it is */
	return strbuf_add(&l->body, buf, len);
}

static const char *const labels[] = {
	"UsageError", "MultiValuedParamNotSupported", "AuthenticationError",
	"AuthorizationError", "ServiceUnavailable", "Error", NULL
};

int
relay_is_error_doc(const char *ctype, const char *body)
{
	char	 type[128];
	size_t	 n;

	for (n = 0; ctype[n] != '\0' && n + 1 < sizeof(type); n++)
		type[n] = (char)tolower((unsigned char)ctype[n]);
	type[n] = '\0';
	body += strspn(body, " \t\r\n");
	if (strstr(type, "votable") != NULL ||
	    strncmp(body, "<?xml", 5) == 0 || strncmp(body, "<VOTABLE", 8) == 0)
		return strstr(body, "QUERY_STATUS") != NULL;
	if (strncasecmp(ctype, "text/plain", 10) != 0)
		return 0;
	for (int i = 0; labels[i] != NULL; i++) {
		n = strlen(labels[i]);
		if (strncmp(body, labels[i], n) == 0 &&
		    (body[n] == ':' || body[n] == ' ' || body[n] == '\0' ||
		    body[n] == '\n' || body[n] == '\r'))
			return 1;
	}
	return 0;
}

/* The SODA label for an error status of a site's. */
static const char *
label_for(long status)
{
	switch (status) {
	case 400: case 404: case 422:
		return "UsageError";
	case 401:
		return "AuthenticationError";
	case 403:
		return "AuthorizationError";
	case 502: case 503: case 504:
		return "ServiceUnavailable";
	default:
		return "Error";
	}
}

/* An error answer of the site's, passed on with its status. */
static void
pass_error(struct leg *l, const char *host)
{
	const char	*body = strbuf_str(&l->body);
	int		 status = l->status >= 400 && l->status < 600 ?
			    (int)l->status : 502;

	resp_status(l->r, status);
	if (*l->www_auth != '\0')
		resp_header(l->r, "WWW-Authenticate", l->www_auth);
	if (relay_is_error_doc(l->ctype, body)) {
		resp_content_type(l->r, l->ctype);
		resp_write(l->r, body, l->body.len);
		return;
	}
	resp_content_type(l->r, "text/plain;charset=UTF-8");
	resp_printf(l->r, "%s: the SODA service at %s answered HTTP %ld\n",
	    label_for(l->status), host, l->status);
}

/* The host part of URL, for messages, into BUF. */
static const char *
url_host(const char *url, char *buf, size_t size)
{
	const char	*p = strstr(url, "://");

	p = p != NULL ? p + 3 : url;
	snprintf(buf, size, "%.*s", (int)strcspn(p, "/?#"), p);
	return buf;
}

/*
 * One attempt.  Returns 1 when R holds the answer (whole, cut short, or
 * an error passed on), 0 when the next site should be tried; *TIMEOUT says
 * whether this one failed for lack of time.
 */
static int
attempt(struct http *h, const struct relay_opts *o, const char *url,
    const char *const *hdrs, int more, struct response *r, int *timeout)
{
	struct leg		 l = { r, more, LEG_SKIP, 0, "", "", STRBUF_INIT };
	struct http_stream	 s = { on_head, on_data, &l, o->first_byte_ms,
				    o->stall_ms, o->min_rate, 0 };
	enum http_err		 e;
	char			 err[512], host[256];
	int			 done = 1;

	url_host(url, host, sizeof(host));
	e = http_stream(h, url, hdrs, &s, err, sizeof(err));
	*timeout = e == HTTP_ETIMEOUT;
	if (!s.head_seen || l.mode == LEG_SKIP) {
		log_warn("SODA service %s: %s", host, s.head_seen ?
		    "unavailable" : err);
		done = 0;
	} else if (l.mode == LEG_ERROR) {
		pass_error(&l, host);
	} else if (e == HTTP_OK)
		resp_finish(r);
	else if (resp_failed(r))
		log_info("client went away; transfer from %s stopped", host);
	else {
		log_warn("SODA service %s: %s after %zu bytes", host, err,
		    r->bytes);
		resp_abort(r);
	}
	strbuf_free(&l.body);
	return done;
}

/* May URL receive the caller's credentials in HDRS? */
static int
may_carry(const struct relay_opts *o, const char *url, const char *const *hdrs)
{
	return hdrs[0] == NULL || o->plain_http_tokens ||
	    strncasecmp(url, "https://", 8) == 0;
}

void
relay_run(struct http *h, const struct relay_opts *o, const char *const *urls,
    int n, struct response *r)
{
	struct strbuf	 auth = STRBUF_INIT;
	const char	*hdrs[2] = { NULL, NULL };
	char		 host[256];
	int		 timeout = 0, tried = 0;

	/* Only the caller's credentials go to the site (never their cookies). */
	if (o->authorization != NULL && *o->authorization != '\0') {
		if (strbuf_printf(&auth, "Authorization: %s",
		    o->authorization) == -1) {
			resp_status(r, 500);
			resp_puts(r, "Error: out of memory\n");
			return;
		}
		hdrs[0] = strbuf_str(&auth);
	}
	for (int i = 0; i < n; i++) {
		if (!may_carry(o, urls[i], hdrs)) {
			log_warn("SODA service %s: skipped: plain http would "
			    "expose the caller's token", url_host(urls[i], host,
			    sizeof(host)));
			continue;
		}
		tried++;
		if (attempt(h, o, urls[i], hdrs, i + 1 < n, r, &timeout)) {
			strbuf_free(&auth);
			return;
		}
	}
	strbuf_free(&auth);
	resp_status(r, timeout ? 504 : 503);
	resp_content_type(r, "text/plain;charset=UTF-8");
	resp_printf(r, "ServiceUnavailable: %s; try again later\n", tried == 0 ?
	    "no SODA service holding the data is reached over https, which "
	    "a request with credentials needs" : timeout ?
	    "no SODA service holding the data answered in time" :
	    "no SODA service holding the data could be reached");
}
