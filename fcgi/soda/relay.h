/*
 * relay: send one cutout request to the chosen sites' SODA services in
 * turn and stream the first real answer to the client.
 *
 * The answer is relayed as it arrives, through a fixed buffer, so memory
 * stays flat whatever its size; a client that goes away stops the
 * upstream transfer.  Only the status, Content-Type, Content-Length,
 * Content-Disposition and Content-Encoding of a success come back, and only
 * the caller's Authorization header goes out.  A site that cannot be
 * reached, does not start its answer in time, or answers 502/503/504 gives
 * way to the next URL (when there is one); an error answer is passed on
 * when it is a SODA/DALI error document, and wrapped in one otherwise.
 */
#ifndef RIF_SODA_RELAY_H
#define RIF_SODA_RELAY_H

#include "http.h"
#include "response.h"

struct relay_opts {
	long		 first_byte_ms;
	long		 stall_ms;
	long		 min_rate;	/* bytes a second over stall_ms */
	const char	*authorization;	/* the client's header value, or NULL */
	int		 plain_http_tokens;	/* unsafe: send it over http too */
};

/*
 * Try URLS[0 .. n-1] in order and answer R from the first that answers.
 * A request with credentials skips the URLs that are not https (unless
 * plain_http_tokens): a token never crosses the network in clear.  When
 * none answers, R is 503, or 504 when the last one timed out: the last
 * failure names the status, as nginx's proxy_next_upstream reports it.
 */
void	relay_run(struct http *, const struct relay_opts *,
	    const char *const *urls, int n, struct response *r);

/*
 * Is BODY (of type CTYPE) a SODA or DALI error document: text starting
 * with one of the SODA 1.0 §5 labels, or a VOTable?  For relay_run and
 * for tests.
 */
int	relay_is_error_doc(const char *ctype, const char *body);

#endif
