#include <stdio.h>
#include <string.h>

#include "authed.h"
#include "log.h"
#include "strbuf.h"

#define EXTRA_MAX	4

static const char *
fixed_get(void *ctx, struct http *h, int *transient, char *err,
    size_t errsize)
{
	(void)h, (void)err, (void)errsize;
	*transient = 0;
	return ctx;
}

static void
fixed_forget(void *ctx)
{
	(void)ctx;	/* nothing fresher to be had */
}

struct token_source
token_fixed(const char *token)
{
	struct token_source	 s = { fixed_get, fixed_forget, (void *)token };

	return s;
}

static const char *
oauth2_get(void *ctx, struct http *h, int *transient, char *err,
    size_t errsize)
{
	return oauth2_token(ctx, h, transient, err, errsize);
}

static void
oauth2_drop(void *ctx)
{
	oauth2_forget(ctx);
}

struct token_source
token_oauth2(struct oauth2 *a)
{
	struct token_source	 s = { oauth2_get, oauth2_drop, a };

	return s;
}

enum upstream_status
authed_call(struct http *h, const struct token_source *src,
    const char *prefix, const char *service, const char *method,
    const char *url, const char *const *headers, const char *body,
    struct http_reply *rep, char *err, size_t errsize)
{
	struct strbuf		 auth = STRBUF_INIT;
	const char		*hdrs[EXTRA_MAX + 2], *tok;
	enum upstream_status	 st = UP_FATAL;
	int			 n = 1, transient;

	for (; headers != NULL && headers[n - 1] != NULL && n <= EXTRA_MAX; n++)
		hdrs[n] = headers[n - 1];
	hdrs[n] = NULL;
	memset(rep, 0, sizeof(*rep));
	for (int attempt = 0; attempt < 2; attempt++) {
		if ((tok = src->get(src->ctx, h, &transient, err, errsize)) ==
		    NULL) {
			st = transient ? UP_TRANSIENT : UP_FATAL;
			break;	/* the header of a first try is still wiped */
		}
		strbuf_reset(&auth);
		if (strbuf_printf(&auth, "%s%s", prefix, tok) == -1) {
			snprintf(err, errsize, "out of memory");
			st = UP_TRANSIENT;
			break;
		}
		hdrs[0] = strbuf_str(&auth);
		if (http_call(h, method, url, hdrs, body, rep, err, errsize) !=
		    HTTP_OK) {
			http_reply_free(rep);
			st = UP_TRANSIENT;
			break;
		}
		if (rep->status != 401) {
			st = UP_OK;
			break;
		}
		log_info("%s refused the token; renewing it", service);
		src->forget(src->ctx);
		http_reply_free(rep);
		snprintf(err, errsize, "%s refused a fresh token (HTTP 401)",
		    service);
	}
	if (auth.s != NULL)
		explicit_bzero(auth.s, auth.len);
	strbuf_free(&auth);
	return st;
}

enum upstream_status
authed_unexpected(long status, const char *what, char *err,
    size_t errsize)
{
	snprintf(err, errsize, "%s: HTTP %ld", what, status);
	return status >= 500 ? UP_TRANSIENT : UP_FATAL;
}
