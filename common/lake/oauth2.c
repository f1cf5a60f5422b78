#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "base64.h"
#include "oauth2.h"

/* A token is renewed this many seconds before the endpoint says it expires. */
#define TOKEN_MARGIN	60
/* expires_in when the answer has none. */
#define TOKEN_LIFE	300

struct oauth2 {
	char		*url;
	char		*basic;		/* "Authorization: Basic ..." */
	char		*form;		/* the request body */
	char		*token;
	time_t		 expires;
	struct backoff	 backoff;	/* after failed fetches */
	char		 last_err[256];	/* why the last fetch failed */
	int		 last_transient;
};

/* name=value&, the value form-encoded, appended to B. */
static void
form_add(struct strbuf *b, const char *name, const char *value)
{
	char	*e;

	if (value == NULL || *value == '\0')
		return;
	if ((e = curl_easy_escape(NULL, value, 0)) == NULL)
		return;
	strbuf_printf(b, "%s%s=%s", b->len ? "&" : "", name, e);
	curl_free(e);
}

const struct oauth2_opts *
oauth2_opts_of(const char *token_url, const struct config_client *c,
    struct oauth2_opts *o)
{
	if (*c->client_id == '\0')
		return NULL;
	*o = (struct oauth2_opts){ token_url, c->client_id, c->client_secret,
	    c->scope, c->audience };
	return o;
}

struct oauth2 *
oauth2_new(const struct oauth2_opts *o)
{
	struct oauth2	*a;
	struct strbuf	 cred = STRBUF_INIT, form = STRBUF_INIT, basic = STRBUF_INIT;
	char		*id, *secret;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->url = strdup(o->token_url);
	/* RFC 6749 §2.3.1: id and secret are form-encoded before Basic. */
	id = curl_easy_escape(NULL, o->client_id, 0);
	secret = curl_easy_escape(NULL, o->client_secret, 0);
	if (id != NULL && secret != NULL)
		strbuf_printf(&cred, "%s:%s", id, secret);
	curl_free(id);
	curl_free(secret);
	if (cred.s != NULL && (strbuf_puts(&basic, "Authorization: Basic ") ==
	    -1 || b64_encode(&basic, cred.s, cred.len) == -1))
		strbuf_free(&basic);
	strbuf_free(&cred);
	a->basic = basic.s;
	form_add(&form, "grant_type", "client_credentials");
	form_add(&form, "scope", o->scope);
	form_add(&form, "audience", o->audience);
	a->form = form.s;
	if (a->url == NULL || a->basic == NULL || a->form == NULL) {
		oauth2_free(a);
		return NULL;
	}
	return a;
}

void
oauth2_free(struct oauth2 *a)
{
	if (a == NULL)
		return;
	oauth2_forget(a);
	free(a->url);
	if (a->basic != NULL)
		explicit_bzero(a->basic, strlen(a->basic));
	free(a->basic);
	free(a->form);
	free(a);
}

void
oauth2_forget(struct oauth2 *a)
{
	if (a->token != NULL)
		explicit_bzero(a->token, strlen(a->token));
	free(a->token);
	a->token = NULL;
	a->expires = 0;
}

struct backoff *
oauth2_backoff(struct oauth2 *a)
{
	return &a->backoff;
}

/*
 * How long to keep a token the endpoint says lives EXPIRES_IN seconds:
 * a negative or tiny value would have every call fetch a token, and a huge
 * one would overflow time_t arithmetic, so both are held to a range.
 */
static time_t
token_keep(const json_t *expires_in)
{
	json_int_t	 s = TOKEN_LIFE;

	if (json_is_integer(expires_in))
		s = json_integer_value(expires_in);
	if (s < TOKEN_MARGIN + OAUTH2_KEEP_MIN)
		return OAUTH2_KEEP_MIN;
	if (s > TOKEN_MARGIN + OAUTH2_KEEP_MAX)
		return OAUTH2_KEEP_MAX;
	return (time_t)s - TOKEN_MARGIN;
}

/* A token from the endpoint; NULL with ERR and *TRANSIENT on failure. */
static const char *
fetch(struct oauth2 *a, struct http *h, int *transient, char *err,
    size_t errsize)
{
	const char		*hdrs[] = { a->basic, "Accept: application/json",
				    "Content-Type: application/x-www-form-urlencoded",
				    NULL };
	struct http_reply	 rep;
	json_t			*j;
	const char		*tok;

	if (http_call(h, "POST", a->url, hdrs, a->form, &rep, err, errsize) !=
	    HTTP_OK || rep.status >= 500) {
		*transient = 1;
		if (rep.status >= 500)
			snprintf(err, errsize, "token endpoint: HTTP %ld", rep.status);
		http_reply_free(&rep);
		return NULL;
	}
	j = json_loads(strbuf_str(&rep.body), 0, NULL);
	tok = json_string_value(json_object_get(j, "access_token"));
	if (rep.status != 200 || tok == NULL) {
		snprintf(err, errsize, "token endpoint refused the client "
		    "credentials (HTTP %ld)", rep.status);
	} else if ((a->token = strdup(tok)) != NULL) {
		a->expires = time(NULL) +
		    token_keep(json_object_get(j, "expires_in"));
	} else {
		snprintf(err, errsize, "out of memory");
		*transient = 1;
	}
	json_decref(j);
	http_reply_free(&rep);
	return a->token;
}

const char *
oauth2_token(struct oauth2 *a, struct http *h, int *transient, char *err,
    size_t errsize)
{
	*transient = 0;
	if (a->token != NULL && time(NULL) < a->expires)
		return a->token;
	oauth2_forget(a);
	/* A failing endpoint is not asked on every call (backoff.h). */
	if (backoff_left(&a->backoff, backoff_now()) > 0) {
		snprintf(err, errsize, "%s", a->last_err);
		*transient = a->last_transient;
		return NULL;
	}
	if (fetch(a, h, transient, err, errsize) != NULL) {
		backoff_reset(&a->backoff);
		return a->token;
	}
	backoff_failed(&a->backoff, backoff_now());
	snprintf(a->last_err, sizeof(a->last_err), "%s (not asked again for "
	    "%ld s)", err, a->backoff.wait / 1000);
	snprintf(err, errsize, "%s", a->last_err);
	a->last_transient = *transient;
	return NULL;
}
