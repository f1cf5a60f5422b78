/*
 * http: calls to the upstream services (Rucio, the site directory, the
 * data-management API) through libcurl.
 *
 * A struct http wraps one curl easy handle and is used by one thread at a
 * time; it keeps its connections open between calls, so a worker talks to
 * each upstream over a connection it already has.  Every call has a
 * connect timeout and a total timeout, verifies TLS peers (against the
 * configured CA bundle when one is given), and refuses bodies larger than
 * HTTP_BODY_MAX.  A reply owns its body and header text; http_reply_free()
 * releases them.
 */
#ifndef RIF_HTTP_H
#define RIF_HTTP_H

#include "strbuf.h"

#define HTTP_BODY_MAX	(16L * 1024 * 1024)

struct http_opts {
	long		 connect_timeout_ms;
	long		 timeout_ms;
	const char	*ca_file;	/* NULL or "": the system's */
};

struct http_reply {
	long		 status;	/* 0 when no answer came */
	struct strbuf	 body;
	struct strbuf	 headers;	/* "name: value\r\n" lines, last response */
};

enum http_err {
	HTTP_OK,
	HTTP_ETIMEOUT,	/* no complete answer within the time allowed */
	HTTP_ECONNECT,	/* could not connect (refused, DNS, TLS) */
	HTTP_ETOOBIG,	/* body larger than HTTP_BODY_MAX */
	HTTP_ESTOPPED,	/* a stream callback asked to stop */
	HTTP_EOTHER
};

struct http;

struct http	*http_new(const struct http_opts *);
void		 http_free(struct http *);

/*
 * METHOD URL with the extra HEADERS (NULL-terminated "Name: value" list)
 * and BODY (NULL for none).  Any HTTP status is HTTP_OK: look at
 * reply->status.  On failure ERR holds curl's reason (for the log).
 */
enum http_err	 http_call(struct http *, const char *method, const char *url,
		    const char *const *headers, const char *body,
		    struct http_reply *reply, char *err, size_t errsize);
void		 http_reply_free(struct http_reply *);

/*
 * Milliseconds H has spent in calls since the last reset (RESET: start
 * again from 0), so that a handler can tell its own time from its
 * upstreams'.
 */
double		 http_spent_ms(struct http *, int reset);

/*
 * A deadline MS milliseconds from now for every call H makes until it is
 * set again (0: none): each call's timeouts are cut to the time left, and
 * a call made after it passed fails at once with HTTP_ETIMEOUT.  One
 * request's upstream calls so share one budget.
 */
void		 http_deadline(struct http *, long ms);
/* Milliseconds left before that deadline (LONG_MAX when none is set). */
long		 http_time_left(const struct http *);

/*
 * A GET whose answer is relayed rather than kept: on_head gets the final
 * response's status and header text once they are in (before any body
 * byte), on_data each piece of the body as it arrives; either returns -1
 * to stop the transfer.  The body is neither decoded nor held, so its size
 * is not bounded; instead the status line must come within first_byte_ms
 * (0: no limit), and in every stall_ms of the body at least
 * min_rate bytes a second on average must arrive (at least one byte): a
 * site that trickles is left as one that stalls.
 */
struct http_stream {
	int	(*on_head)(void *ctx, long status, const struct strbuf *headers);
	int	(*on_data)(void *ctx, const char *buf, size_t len);
	void	*ctx;
	long	 first_byte_ms;
	long	 stall_ms;
	long	 min_rate;	/* bytes a second; 0: any progress will do */
	int	 head_seen;	/* set once on_head was called */
};

enum http_err	 http_stream(struct http *, const char *url,
		    const char *const *headers, struct http_stream *,
		    char *err, size_t errsize);

/* The value of header NAME (case-insensitive) in REPLY, copied into BUF. */
const char	*http_reply_header(const struct http_reply *, const char *name,
		    char *buf, size_t size);
/* The same in header text ("name: value\r\n" lines). */
const char	*http_header(const char *text, const char *name, char *buf,
		    size_t size);

/*
 * A copy of the base URL U without its trailing '/', so that base + "/route"
 * never doubles it (a base may carry a path prefix).  NULL on ENOMEM.
 */
char		*http_base_url(const char *u);

/*
 * Percent-encode S for a query value: every byte outside [A-Za-z0-9._~-]
 * becomes %XX.  Appends to OUT; -1 on ENOMEM.
 */
int		 http_escape(struct strbuf *out, const char *s);

/*
 * Upstream paths are built only from these, so that no value can climb
 * out of the prefix it is put under.  http_add_segment() appends '/' and
 * S encoded as one segment ('/' too becomes %2F); http_add_path() appends
 * each '/'-separated segment of PATH so.  Both refuse (-1) a segment that
 * is empty, "." or "..", and return -1 on ENOMEM.
 */
int		 http_add_segment(struct strbuf *out, const char *s);
int		 http_add_path(struct strbuf *out, const char *path);

/*
 * Does URL's path hold a "." or ".." segment, written plainly or as %2E?
 * libcurl and the servers behind it resolve those, so http_call() and
 * http_stream() refuse such a URL rather than send it.
 */
int		 http_url_climbs(const char *url);

/*
 * A URL as clients may use it: bytes that a URI cannot hold (controls,
 * space, non-ASCII, "<>\"\\^`{|}") percent-encoded, everything else --
 * reserved characters and existing %XX escapes -- kept.  Appends to OUT;
 * -1 on ENOMEM.  Rucio writes the PFNs of UTF-8 names raw.
 */
int		 http_url_encode(struct strbuf *out, const char *url);

#endif
