/*
 * request: what a handler knows of one HTTP request, independent of FastCGI.
 *
 * The FastCGI loop (fcgi_loop.c) fills one from the CGI variables nginx
 * sends; tests fill one by hand.  Every string is owned by whoever built the
 * request and stays valid until the handler returns.  Missing CGI variables
 * are "" rather than NULL, so handlers need no NULL checks.
 */
#ifndef RIF_REQUEST_H
#define RIF_REQUEST_H

#include <stddef.h>

struct request {
	const char	*method;	/* REQUEST_METHOD */
	const char	*path;		/* DOCUMENT_URI: the path, no query */
	const char	*query;		/* QUERY_STRING */
	const char	*content_type;	/* CONTENT_TYPE */
	const char	*remote_addr;	/* REMOTE_ADDR, as nginx resolved it */
	const char	*scheme;	/* "https" or "http" */
	const char	*host;		/* HTTP_HOST */
	const char	*body;		/* request body, NUL-terminated */
	size_t		 body_len;
	int		 body_too_large; /* body exceeded [request] max_body */
	/* Any other CGI variable, e.g. "HTTP_AUTHORIZATION"; NULL if absent. */
	const char	*(*getenv)(void *ctx, const char *name);
	void		*env_ctx;
};

/* The CGI variable NAME, or NULL when the request has none. */
const char	*request_env(const struct request *, const char *name);

/* Does the request path end in the segment SEG ("/availability")? */
int		 request_path_ends(const struct request *, const char *seg);

#endif
