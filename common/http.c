#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"

struct http {
	CURL			*curl;
	struct http_opts	 opts;
	char			*ca_file;
	int			 too_big;
};

struct http *
http_new(const struct http_opts *opts)
{
	struct http	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->opts = *opts;
	if (opts->ca_file != NULL && *opts->ca_file != '\0' &&
	    (h->ca_file = strdup(opts->ca_file)) == NULL) {
		free(h);
		return NULL;
	}
	if ((h->curl = curl_easy_init()) == NULL) {
		free(h->ca_file);
		free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->curl);
	free(h->ca_file);
	free(h);
}

struct sink {
	struct http	*h;
	struct strbuf	*buf;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct sink	*s = ctx;

	if ((long)(s->buf->len + n) > HTTP_BODY_MAX) {
		s->h->too_big = 1;
		return 0;	/* makes curl stop with a write error */
	}
	return strbuf_add(s->buf, p, n * size) == 0 ? n * size : 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ctx)
{
	struct strbuf	*b = ctx;

	/* A new status line: keep only the headers of the final response. */
	if (n * size > 5 && strncmp(p, "HTTP/", 5) == 0)
		strbuf_reset(b);
	return strbuf_add(b, p, n * size) == 0 ? n * size : 0;
}

static void
setup(struct http *h, const char *method, const char *url,
    struct curl_slist *hdrs, const char *body)
{
	CURL	*c = h->curl;

	curl_easy_reset(c);	/* keeps the connection cache */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->opts.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->opts.timeout_ms);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rucio-ivoa-fcgi");
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
}

enum http_err
http_call(struct http *h, const char *method, const char *url,
    const char *const *headers, const char *body, struct http_reply *reply,
    char *err, size_t errsize)
{
	struct curl_slist	*hdrs = NULL, *tmp;
	struct sink		 bs = { h, &reply->body };
	CURLcode		 rc;

	memset(reply, 0, sizeof(*reply));
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((tmp = curl_slist_append(hdrs, *headers)) == NULL) {
			curl_slist_free_all(hdrs);
			snprintf(err, errsize, "out of memory");
			return HTTP_EOTHER;
		}
		hdrs = tmp;
	}
	setup(h, method, url, hdrs, body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &bs);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &reply->headers);
	h->too_big = 0;
	rc = curl_easy_perform(h->curl);
	curl_slist_free_all(hdrs);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (rc == CURLE_OK)
		return HTTP_OK;
	snprintf(err, errsize, "%s: %s", url, curl_easy_strerror(rc));
	if (h->too_big)
		return HTTP_ETOOBIG;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return HTTP_ETIMEOUT;
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION)
		return HTTP_ECONNECT;
	return HTTP_EOTHER;
}

void
http_reply_free(struct http_reply *r)
{
	strbuf_free(&r->body);
	strbuf_free(&r->headers);
}

const char *
http_reply_header(const struct http_reply *r, const char *name, char *buf,
    size_t size)
{
	const char	*p = strbuf_str(&r->headers), *eol, *v;
	size_t		 nlen = strlen(name), n;

	for (; *p != '\0'; p = eol + (*eol != '\0')) {
		eol = p + strcspn(p, "\n");
		if ((size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		v = p + nlen + 1;
		v += strspn(v, " \t");
		n = (size_t)(eol - v);
		while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' '))
			n--;
		if (n >= size)
			n = size - 1;
		memcpy(buf, v, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

char *
http_base_url(const char *u)
{
	size_t	 n = strlen(u);

	while (n > 0 && u[n - 1] == '/')
		n--;
	return strndup(u, n);
}

int
http_escape(struct strbuf *out, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("._~-", c) != NULL) {
			if (strbuf_add(out, s, 1) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (strbuf_add(out, e, 3) == -1)
			return -1;
	}
	return 0;
}
