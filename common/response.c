#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "response.h"

void
resp_init(struct response *r, resp_sink sink, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->status = 200;
	r->sink = sink;
	r->sink_ctx = ctx;
	strcpy(r->content_type, "text/plain;charset=UTF-8");
}

void
resp_init_body(struct response *r, resp_sink sink, void *ctx)
{
	resp_init(r, sink, ctx);
	r->started = 1;
}

void
resp_status(struct response *r, int status)
{
	if (!r->started)
		r->status = status;
}

void
resp_content_type(struct response *r, const char *type)
{
	/* Types may echo a request parameter: no control bytes, no overflow. */
	for (const char *p = type; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return;
	if (!r->started && strlen(type) < sizeof(r->content_type))
		snprintf(r->content_type, sizeof(r->content_type), "%s", type);
}

int
resp_header(struct response *r, const char *name, const char *value)
{
	size_t	 room = sizeof(r->headers) - r->headers_len;
	int	 n;

	if (r->started)
		return -1;
	/* A CR or LF in a value would let it smuggle in headers of its own. */
	if (strpbrk(value, "\r\n") != NULL || strpbrk(name, "\r\n:") != NULL)
		return -1;
	n = snprintf(r->headers + r->headers_len, room, "%s: %s\r\n",
	    name, value);
	if (n < 0 || (size_t)n >= room) {
		r->headers[r->headers_len] = '\0';
		return -1;
	}
	r->headers_len += (size_t)n;
	return 0;
}

static int
resp_sink_write(struct response *r, const void *buf, size_t len)
{
	if (r->failed)
		return -1;
	if (len > 0 && r->sink(r->sink_ctx, buf, len) == -1) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

/* The reason phrase of the status line nginx passes on. */
static const char *
status_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default:  return "Unknown";
	}
}

static int
resp_start(struct response *r)
{
	char	 head[RESP_HEADERS_MAX + 256];
	int	 n;

	if (r->started)
		return r->failed ? -1 : 0;
	r->started = 1;
	n = snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: %s\r\n"
	    "%s\r\n", r->status, status_reason(r->status), r->content_type,
	    r->headers);
	return resp_sink_write(r, head, (size_t)n);
}

int
resp_write(struct response *r, const void *buf, size_t len)
{
	if (resp_start(r) == -1 || resp_sink_write(r, buf, len) == -1)
		return -1;
	r->bytes += len;
	return 0;
}

int
resp_puts(struct response *r, const char *s)
{
	return resp_write(r, s, strlen(s));
}

int
resp_printf(struct response *r, const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return resp_write(r, buf, (size_t)n);
}

int
resp_finish(struct response *r)
{
	return resp_start(r);
}

int
resp_failed(const struct response *r)
{
	return r->failed;
}

void
resp_abort(struct response *r)
{
	r->aborted = 1;
}
