/*
 * authed: an upstream call that carries a token and, when the service
 * refuses it (HTTP 401), asks the token's source for a fresh one once:
 * the pattern Rucio, the site directory and the data-management API share.
 *
 * A token source lends the current token (fetching one when it has none)
 * and forgets it on request; the caller names the header the token goes
 * in ("X-Rucio-Auth-Token: ", "Authorization: Bearer ").  Tokens are never
 * logged.
 */
#ifndef RIF_AUTHED_H
#define RIF_AUTHED_H

#include "http.h"
#include "oauth2.h"
#include "upstream.h"

struct token_source {
	/*
	 * The current token, valid until the next get or forget; NULL on
	 * failure with ERR, and *TRANSIENT when a later try may succeed.
	 */
	const char	*(*get)(void *ctx, struct http *, int *transient,
			    char *err, size_t errsize);
	void		 (*forget)(void *ctx);
	void		*ctx;
};

/* A source lending a fixed token (TOKEN must outlive it). */
struct token_source	 token_fixed(const char *token);
/* A source lending the tokens of an OAuth2 client. */
struct token_source	 token_oauth2(struct oauth2 *);

/*
 * METHOD URL with PREFIX + token and the extra HEADERS (NULL-terminated,
 * at most 4), BODY or NULL.  UP_OK with any status but a second 401 in
 * REP (free it with http_reply_free()); UP_TRANSIENT when no answer came;
 * UP_FATAL when the fresh token was refused too.  SERVICE names the
 * upstream in messages.
 */
enum upstream_status	 authed_call(struct http *, const struct token_source *,
			    const char *prefix, const char *service,
			    const char *method, const char *url,
			    const char *const *headers, const char *body,
			    struct http_reply *rep, char *err, size_t errsize);

/*
 * An upstream's unexpected HTTP STATUS: "WHAT: HTTP n" in ERR, and
 * UP_TRANSIENT for a 5xx (a later try may succeed), else UP_FATAL.
 */
enum upstream_status	 authed_unexpected(long status, const char *what,
			    char *err, size_t errsize);

#endif
