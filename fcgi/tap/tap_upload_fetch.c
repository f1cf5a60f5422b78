/*
 * tap_upload_fetch: the tables an UPLOAD names by URL, fetched as an
 * anonymous client would (tap_upload.h says what is taken).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"
#include "log.h"
#include "strbuf.h"
#include "tap_upload.h"

/* Is HOST one of the blank-separated names of LIST ("": any is)? */
static int
host_allowed(const char *list, const char *host)
{
	const char	*p = list;
	size_t		 n, len = strlen(host);

	if (*list == '\0')
		return 1;
	while (*(p += strspn(p, " \t,")) != '\0') {
		n = strcspn(p, " \t,");
		if (n == len && strncasecmp(p, host, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

/* The host of URL into BUF; -1 when it has none curl can read. */
static int
url_host(const char *url, char *buf, size_t size)
{
	CURLU	*cu;
	char	*host = NULL;
	int	 rc = -1;

	if ((cu = curl_url()) == NULL)
		return -1;
	if (curl_url_set(cu, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(cu, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strlen(host) < size) {
		memcpy(buf, host, strlen(host) + 1);
		rc = 0;
	}
	curl_free(host);
	curl_url_cleanup(cu);
	return rc;
}

/* The answer to a GET of upload T's URL, as the client is told. */
static int
fetched(struct tap_upload *t, enum http_err e, struct http_reply *rep,
    const struct config_tap *cfg, char *why, size_t whysize)
{
	if (e == HTTP_ETIMEOUT)
		snprintf(why, whysize, "UPLOAD %s: the URL gave no answer "
		    "within the time allowed", t->name);
	else if (e == HTTP_ETOOBIG || (e == HTTP_OK &&
	    rep->body.len > (size_t)cfg->upload_max_size))
		snprintf(why, whysize, "UPLOAD %s: the table at the URL is "
		    "larger than this service's limit of %ld bytes", t->name,
		    cfg->upload_max_size);
	else if (e != HTTP_OK)
		snprintf(why, whysize, "UPLOAD %s: the URL cannot be reached",
		    t->name);
	else if (rep->status >= 300 && rep->status < 400)
		snprintf(why, whysize, "UPLOAD %s: the URL answered with a "
		    "redirect (HTTP %ld), which is not followed", t->name,
		    rep->status);
	else if (rep->status != 200)
		snprintf(why, whysize, "UPLOAD %s: the URL answered HTTP %ld",
		    t->name, rep->status);
	else {
		t->len = rep->body.len;
		t->own = strbuf_detach(&rep->body);
		t->data = t->own != NULL ? t->own : "";
		return 0;
	}
	return -1;
}

int
tap_upload_fetch(struct tap_uploads *u, struct http *h,
    const struct config_tap *cfg, long deadline_ms, char *why,
    size_t whysize)
{
	struct http_reply	 rep;
	enum http_err		 e;
	char			*url, host[256], err[512];
	int			 rc = 0;

	/* Every fetch of one query shares one budget. */
	http_deadline(h, deadline_ms);
	for (int i = 0; i < u->n && rc == 0; i++) {
		struct tap_upload	*t = &u->up[i];

		if (t->part != NULL || t->data != NULL)
			continue;
		if ((url = strndup(t->uri, t->urilen)) == NULL) {
			snprintf(why, whysize, "Internal error: out of memory");
			rc = -1;
			break;
		}
		if (url_host(url, host, sizeof(host)) == -1) {
			snprintf(why, whysize, "UPLOAD %s: the URL has no host",
			    t->name);
			rc = -1;
		} else if (!host_allowed(cfg->upload_hosts, host)) {
			snprintf(why, whysize, "UPLOAD %s: tables are taken "
			    "only from the hosts this service names, and %s is "
			    "not one of them", t->name, host);
			rc = -1;
		} else {
			memset(&rep, 0, sizeof(rep));
			e = http_call(h, "GET", url, NULL, NULL, &rep, err,
			    sizeof(err));
			if (e != HTTP_OK)
				log_warn("upload %s: %s", t->name, err);
			rc = fetched(t, e, &rep, cfg, why, whysize);
			http_reply_free(&rep);
		}
		free(url);
	}
	http_deadline(h, 0);
	return rc;
}
