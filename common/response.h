/*
 * response: the status, headers and body a handler sends back.
 *
 * A response writes through a sink (the FastCGI output stream in production,
 * a strbuf in tests).  Status and headers may be changed until the first
 * body byte is written; that write sends the CGI header block ("Status:",
 * "Content-Type:", the extra headers, a blank line) and fixes them.
 * Body output is never held whole: it goes to the sink as it is produced.
 *
 * After a sink error every further write is a no-op returning -1, and
 * resp_failed() says so; handlers may keep going and need not check each
 * write.
 */
#ifndef RIF_RESPONSE_H
#define RIF_RESPONSE_H

#include <stddef.h>

/* A sink writes LEN bytes and returns 0, or -1 when the peer is gone. */
typedef int (*resp_sink)(void *ctx, const void *buf, size_t len);

#define RESP_HEADERS_MAX	2048

struct response {
	int		 status;
	char		 content_type[128];
	char		 headers[RESP_HEADERS_MAX];	/* "Name: value\r\n"... */
	size_t		 headers_len;
	resp_sink	 sink;
	void		*sink_ctx;
	int		 started;	/* header block sent */
	int		 failed;	/* a sink write failed */
	int		 aborted;	/* the body is known to be incomplete */
	size_t		 bytes;		/* body bytes written */
	char		 note[64];	/* for the request's log line, or "" */
};

void	resp_init(struct response *, resp_sink, void *ctx);
/* A response that is body only (no header block): a document in memory. */
void	resp_init_body(struct response *, resp_sink, void *ctx);
void	resp_status(struct response *, int status);
void	resp_content_type(struct response *, const char *);
/* Add a header; -1 if the header block is full or already sent. */
int	resp_header(struct response *, const char *name, const char *value);
int	resp_write(struct response *, const void *, size_t);
int	resp_puts(struct response *, const char *);
int	resp_printf(struct response *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send the header block if nothing was written yet (an empty body). */
int	resp_finish(struct response *);
int	resp_failed(const struct response *);
/*
 * Mark the body as cut short (an upstream failed mid-stream): the server
 * then drops the connection instead of ending the response cleanly, so
 * the client can tell a truncated answer from a whole one.
 */
void	resp_abort(struct response *);

#endif
