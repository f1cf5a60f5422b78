/*
 * oauth2: a Bearer token from an OAuth2 token endpoint by the client
 * credentials grant (RFC 6749 §4.4), kept until shortly before it expires.
 *
 * The request is a form POST with HTTP Basic client authentication, the
 * configured scope and audience, as SRCNet's IAM expects it.  The token
 * lives in the struct oauth2; callers get a pointer valid until the next
 * oauth2_token() or oauth2_forget().
 */
#ifndef RIF_OAUTH2_H
#define RIF_OAUTH2_H

#include "backoff.h"
#include "config.h"
#include "http.h"

/* Seconds a token is kept at least, and at most, whatever expires_in says. */
#define OAUTH2_KEEP_MIN	10
#define OAUTH2_KEEP_MAX	86400

struct oauth2_opts {
	const char	*token_url;
	const char	*client_id;
	const char	*client_secret;
	const char	*scope;
	const char	*audience;
};

struct oauth2;

struct oauth2	*oauth2_new(const struct oauth2_opts *);

/*
 * The client C of the identity provider at TOKEN_URL as options, in *O
 * (which points into both); NULL when C names no client_id.
 */
const struct oauth2_opts *oauth2_opts_of(const char *token_url,
		    const struct config_client *c, struct oauth2_opts *o);
void		 oauth2_free(struct oauth2 *);

/*
 * The current token, fetched through H when there is none or it is about
 * to expire.  NULL on failure, with the reason in ERR and *TRANSIENT set
 * when trying again later may help (timeout, 5xx).  After a failed fetch
 * the endpoint is left alone for a while (see backoff.h): calls meanwhile
 * fail at once with the same reason.  A token is kept for expires_in less
 * a margin, held between OAUTH2_KEEP_MIN and OAUTH2_KEEP_MAX seconds.
 */
const char	*oauth2_token(struct oauth2 *, struct http *h, int *transient,
		    char *err, size_t errsize);
/* Drop the token (the service said 401): the next call fetches anew. */
void		 oauth2_forget(struct oauth2 *);

/* The back-off state of the token endpoint (for tests to look at and set). */
struct backoff	*oauth2_backoff(struct oauth2 *);

#endif
