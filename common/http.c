#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"

struct http {
	CURL			*curl;
	struct http_opts	 opts;
	char			*ca_file;
	int			 too_big;
	int			 timed_out;	/* a stream's own limits */
	double			 spent_ms;	/* in calls, since a reset */
	double			 deadline;	/* now_ms() clock; 0: none */
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

static double
now_ms(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void
http_deadline(struct http *h, long ms)
{
	h->deadline = ms > 0 ? now_ms() + (double)ms : 0;
}

long
http_time_left(const struct http *h)
{
	return h->deadline == 0 ? LONG_MAX : (long)(h->deadline - now_ms());
}

/* WANT milliseconds, or the time left before the deadline when less. */
static long
limit_ms(const struct http *h, long want)
{
	double	 left;

	if (h->deadline == 0)
		return want;
	left = h->deadline - now_ms();
	return left < 1 ? 1 : want == 0 || left < (double)want ? (long)left :
	    want;
}

/*
 * Whether a call may go out: not past the deadline, and to a URL that
 * stays under its prefix.  -1 with the reason in ERR otherwise.
 */
static int
may_call(const struct http *h, const char *url, enum http_err *e, char *err,
    size_t errsize)
{
	if (h->deadline != 0 && now_ms() >= h->deadline) {
		snprintf(err, errsize, "%s: not called: the request's time "
		    "limit was reached", url);
		*e = HTTP_ETIMEOUT;
		return -1;
	}
	if (http_url_climbs(url)) {
		snprintf(err, errsize, "%s: not called: a '.' or '..' path "
		    "segment", url);
		*e = HTTP_EOTHER;
		return -1;
	}
	return 0;
}

static void
setup(struct http *h, const char *method, const char *url,
    struct curl_slist *hdrs, const char *body)
{
	CURL	*c = h->curl;

	curl_easy_reset(c);	/* keeps the connection cache */
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    limit_ms(h, h->opts.connect_timeout_ms));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limit_ms(h, h->opts.timeout_ms));
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

/* The transfer, timed. */
static CURLcode
perform(struct http *h)
{
	double		 t0 = now_ms();
	CURLcode	 rc = curl_easy_perform(h->curl);

	h->spent_ms += now_ms() - t0;
	return rc;
}

double
http_spent_ms(struct http *h, int reset)
{
	double	 ms = h->spent_ms;

	if (reset)
		h->spent_ms = 0;
	return ms;
}

/* HEADERS as curl's list; -1 on ENOMEM (*OUT is then NULL). */
static int
header_list(const char *const *headers, struct curl_slist **out)
{
	struct curl_slist	*tmp;

	*out = NULL;
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((tmp = curl_slist_append(*out, *headers)) == NULL) {
			curl_slist_free_all(*out);
			*out = NULL;
			return -1;
		}
		*out = tmp;
	}
	return 0;
}

/* What went wrong with a transfer that ended in RC. */
static enum http_err
classify(struct http *h, CURLcode rc, const char *url, char *err,
    size_t errsize)
{
	if (h->too_big) {
		snprintf(err, errsize, "%s: answer larger than %ld MiB", url,
		    HTTP_BODY_MAX >> 20);
		return HTTP_ETOOBIG;
	}
	snprintf(err, errsize, "%s: %s", url, h->timed_out ?
	    "no answer within the time allowed" : curl_easy_strerror(rc));
	if (rc == CURLE_OPERATION_TIMEDOUT || h->timed_out)
		return HTTP_ETIMEOUT;
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION)
		return HTTP_ECONNECT;
	if (rc == CURLE_WRITE_ERROR || rc == CURLE_ABORTED_BY_CALLBACK)
		return HTTP_ESTOPPED;
	return HTTP_EOTHER;
}

enum http_err
http_call(struct http *h, const char *method, const char *url,
    const char *const *headers, const char *body, struct http_reply *reply,
    char *err, size_t errsize)
{
	struct curl_slist	*hdrs;
	struct sink		 bs = { h, &reply->body };
	CURLcode		 rc;
	enum http_err		 e;

	memset(reply, 0, sizeof(*reply));
	if (may_call(h, url, &e, err, errsize) == -1)
		return e;
	if (header_list(headers, &hdrs) == -1) {
		snprintf(err, errsize, "out of memory");
		return HTTP_EOTHER;
	}
	setup(h, method, url, hdrs, body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &bs);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, &reply->headers);
	h->too_big = h->timed_out = 0;
	rc = perform(h);
	curl_slist_free_all(hdrs);
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (rc == CURLE_OK)
		return HTTP_OK;
	/* No caller stops a buffered call: a write error is our memory. */
	e = classify(h, rc, url, err, errsize);
	return e == HTTP_ESTOPPED ? HTTP_EOTHER : e;
}

/* The state of one streamed transfer. */
struct streaming {
	struct http		*h;
	struct http_stream	*s;
	struct strbuf		 headers;
	double			 start;
	double			 window;	/* when the current window began */
	curl_off_t		 window_bytes;	/* bytes seen when it began */
};

static size_t
stream_header(char *p, size_t size, size_t n, void *ctx)
{
	struct streaming	*r = ctx;
	long			 status = 0;

	if (on_header(p, size, n, &r->headers) == 0)
		return 0;
	/* The blank line ends a response; 1xx ones are followed by another. */
	if ((n * size == 2 && p[0] == '\r') || (n * size == 1 && p[0] == '\n')) {
		curl_easy_getinfo(r->h->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200)
			return n * size;
		r->s->head_seen = 1;
		r->window = now_ms();
		if (r->s->on_head(r->s->ctx, status, &r->headers) == -1)
			return 0;
	}
	return n * size;
}

static size_t
stream_data(char *p, size_t size, size_t n, void *ctx)
{
	struct streaming	*r = ctx;

	return r->s->on_data(r->s->ctx, p, n * size) == 0 ? n * size : 0;
}

/*
 * Called about once a second and on progress: enforce the time limits.
 * The body is judged in windows of stall_ms, each of which must bring
 * min_rate bytes a second (and at least one byte).
 */
static int
stream_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct streaming	*r = ctx;
	double			 now = now_ms(), need;

	(void)dltotal, (void)ultotal, (void)ulnow;
	if (!r->s->head_seen)
		return r->s->first_byte_ms > 0 &&
		    now - r->start > (double)r->s->first_byte_ms ?
		    (r->h->timed_out = 1) : 0;
	if (r->s->stall_ms <= 0 || now - r->window < (double)r->s->stall_ms)
		return 0;
	need = (double)r->s->min_rate * (now - r->window) / 1e3;
	if (dlnow - r->window_bytes < 1 ||
	    (double)(dlnow - r->window_bytes) < need)
		return r->h->timed_out = 1;
	r->window = now;
	r->window_bytes = dlnow;
	return 0;
}

enum http_err
http_stream(struct http *h, const char *url, const char *const *headers,
    struct http_stream *s, char *err, size_t errsize)
{
	struct curl_slist	*hdrs;
	struct streaming	 r = { h, s, STRBUF_INIT, 0, 0, 0 };
	CURLcode		 rc;
	CURL			*c = h->curl;
	enum http_err		 e;

	if (may_call(h, url, &e, err, errsize) == -1)
		return e;
	if (header_list(headers, &hdrs) == -1) {
		snprintf(err, errsize, "out of memory");
		return HTTP_EOTHER;
	}
	setup(h, "GET", url, hdrs, NULL);
	/* Relayed as sent: no decoding, and no total limit on a long body. */
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, NULL);
	curl_easy_setopt(c, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, limit_ms(h, 0));
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, stream_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stream_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	h->too_big = h->timed_out = 0;
	s->head_seen = 0;
	r.start = now_ms();
	rc = perform(h);
	curl_slist_free_all(hdrs);
	strbuf_free(&r.headers);
	return rc == CURLE_OK ? HTTP_OK : classify(h, rc, url, err, errsize);
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
	return http_header(strbuf_str(&r->headers), name, buf, size);
}

const char *
http_header(const char *p, const char *name, char *buf, size_t size)
{
	const char	*eol, *v;
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

/* Percent-encode S, keeping the unreserved bytes and those in KEEP. */
static int
escape(struct strbuf *out, const char *s, const char *keep)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("._~-", c) != NULL ||
		    strchr(keep, c) != NULL) {
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

int
http_escape(struct strbuf *out, const char *s)
{
	return escape(out, s, "");
}

/*
 * Is S (N bytes) a segment that a URL resolver removes or climbs with:
 * empty, or one or two dots, each written as '.' or %2E?
 */
static int
dot_segment(const char *s, size_t n)
{
	size_t	 i = 0, dots = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots <= 2;
}

int
http_add_segment(struct strbuf *out, const char *s)
{
	/* Only literal dots: escape() turns a '%' into %25. */
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -1;
	return strbuf_puts(out, "/") == -1 ? -1 : escape(out, s, "");
}

int
http_add_path(struct strbuf *out, const char *path)
{
	char	*copy, *seg, *next;
	int	 rc = 0;

	if ((copy = strdup(path)) == NULL)
		return -1;
	for (seg = copy; rc == 0 && seg != NULL; seg = next) {
		if ((next = strchr(seg, '/')) != NULL)
			*next++ = '\0';
		rc = http_add_segment(out, seg);
	}
	free(copy);
	return rc;
}

int
http_url_climbs(const char *url)
{
	const char	*p = strstr(url, "://"), *end, *seg;

	/* The path starts at the first '/' after the authority. */
	if (p == NULL || (p = strchr(p + 3, '/')) == NULL)
		return 0;
	end = p + strcspn(p, "?#");
	for (seg = p + 1; seg <= end; seg = p + 1) {
		p = memchr(seg, '/', (size_t)(end - seg));
		if (p == NULL)
			p = end;
		if (p > seg && dot_segment(seg, (size_t)(p - seg)))
			return 1;
		if (p == end)
			break;
	}
	return 0;
}

int
http_url_encode(struct strbuf *out, const char *url)
{
	return escape(out, url, ":/?#[]@!$&'()*+,;=%");
}
