/*
 * Unit tests of the upstream clients' limits: the site table's index and
 * caps, the back-off after failed fetches (site directory, token
 * endpoint), and the clamping of a token's expires_in.
 *
 * The back-off tests count the requests a small HTTP server of their own
 * receives, in a thread of this process; the state's window is ended by
 * setting it, not by waiting.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "backoff.h"
#include "helpers.h"
#include "http.h"
#include "oauth2.h"
#include "sites.h"
#include "strbuf.h"

/* A test upstream: every request gets STATUS and the body for its path. */
struct fake {
	int		 fd;
	int		 port;
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	int		 status;
	const char	*expires_in;	/* the token answer's, as JSON text */
	int		 hits;
	int		 stop;
};

static const char fake_grafana[] =
    "[{\"name\": \"R1\", \"latitude\": 1, \"longitude\": 2}]";
static const char fake_areas[] = "[{\"id\": \"a1\", \"name\": \"R1\"}]";
static const char fake_services[] = "[{\"type\": \"soda_sync\", \"host\": "
    "\"h.test\", \"associated_storage_area_id\": \"a1\"}]";

/* The request head and its body; -1 when the client went away. */
static int
fake_read(int c, char *buf, size_t size)
{
	size_t	 len = 0;
	ssize_t	 n;
	char	*end, *cl;
	long	 body = 0;

	while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
		if (len + 1 >= size ||
		    (n = read(c, buf + len, size - len - 1)) <= 0)
			return -1;
		buf[len += (size_t)n] = '\0';
	}
	if ((cl = strstr(buf, "\r\nContent-Length:")) != NULL && cl < end)
		body = strtol(cl + 17, NULL, 10);
	/* The body is read too: closing on unread bytes would reset. */
	while ((long)len < end + 4 - buf + body) {
		char	 sink[512];

		if ((n = read(c, sink, sizeof(sink))) <= 0)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

static void
fake_answer(struct fake *f, int c)
{
	char		 req[4096] = "", body[256];
	struct strbuf	 out = STRBUF_INIT;
	int		 status;

	if (fake_read(c, req, sizeof(req)) == -1)
		return;
	pthread_mutex_lock(&f->lock);
	f->hits++;
	status = f->status;
	snprintf(body, sizeof(body), "{\"access_token\": \"tok\", "
	    "\"token_type\": \"Bearer\", \"expires_in\": %s}", f->expires_in);
	pthread_mutex_unlock(&f->lock);
	if (status != 200)
		snprintf(body, sizeof(body), "{\"detail\": \"failing\"}");
	else if (strstr(req, "/storage-areas/grafana") != NULL)
		snprintf(body, sizeof(body), "%s", fake_grafana);
	else if (strstr(req, "/storage-areas") != NULL)
		snprintf(body, sizeof(body), "%s", fake_areas);
	else if (strstr(req, "/services") != NULL)
		snprintf(body, sizeof(body), "%s", fake_services);
	strbuf_printf(&out, "HTTP/1.1 %d X\r\nContent-Type: application/json"
	    "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
	    strlen(body), body);
	(void)!write(c, out.s, out.len);
	strbuf_free(&out);
}

static void *
fake_run(void *arg)
{
	struct fake	*f = arg;
	int		 c, stop;

	for (;;) {
		if ((c = accept(f->fd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		pthread_mutex_lock(&f->lock);
		stop = f->stop;
		pthread_mutex_unlock(&f->lock);
		if (!stop)
			fake_answer(f, c);
		close(c);
		if (stop)
			return NULL;
	}
}

static int
fake_start(struct fake *f)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);

	memset(f, 0, sizeof(*f));
	f->status = 200;
	f->expires_in = "3600";
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((f->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(f->fd, 16) == -1 ||
	    getsockname(f->fd, (struct sockaddr *)&sa, &len) == -1)
		return -1;
	f->port = ntohs(sa.sin_port);
	pthread_mutex_init(&f->lock, NULL);
	return pthread_create(&f->thread, NULL, fake_run, f) == 0 ? 0 : -1;
}

/* Wake the accept() with a connection of our own, and wait for the end. */
static void
fake_stop(struct fake *f)
{
	struct sockaddr_in	 sa;
	int			 c;

	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_mutex_unlock(&f->lock);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)f->port);
	if ((c = socket(AF_INET, SOCK_STREAM, 0)) != -1) {
		(void)connect(c, (struct sockaddr *)&sa, sizeof(sa));
		close(c);
	}
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->lock);
	close(f->fd);
}

static void
fake_set(struct fake *f, int status, const char *expires_in)
{
	pthread_mutex_lock(&f->lock);
	f->status = status;
	if (expires_in != NULL)
		f->expires_in = expires_in;
	pthread_mutex_unlock(&f->lock);
}

static int
fake_hits(struct fake *f)
{
	int	 n;

	pthread_mutex_lock(&f->lock);
	n = f->hits;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static struct http *
test_http(void)
{
	struct http_opts	 o = { 2000, 5000, NULL };

	return http_new(&o);
}

/* A grafana list: N entries named R<i % DISTINCT>, latitude i. */
static char *
grafana_list(int n, int distinct)
{
	struct strbuf	 b = STRBUF_INIT;

	strbuf_puts(&b, "[");
	for (int i = 0; i < n; i++)
		strbuf_printf(&b, "%s{\"name\": \"R%d\", \"latitude\": %d, "
		    "\"longitude\": 0}", i > 0 ? ", " : "", i % distinct, i);
	strbuf_puts(&b, "]");
	return b.s;
}

/* Many entries, duplicates among them: every name found, the first wins. */
static void
test_sites_many(void)
{
	char			*g = grafana_list(3 * 5000, 5000);
	char			 err[256], name[16];
	struct sites_table	*t;
	const struct site_rse	*r;
	int			 all = 1;

	t = sites_parse_scapi(g, "[]", "[]", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 5000);
	CU_ASSERT_EQUAL(t->dropped, 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "R%d", i);
		r = sites_find(t, name);
		all &= r != NULL && r->located && r->lat == i &&
		    strcmp(r->name, name) == 0 && r == &t->rses[i];
	}
	CU_ASSERT_TRUE(all);
	CU_ASSERT_PTR_NULL(sites_find(t, "R5000"));
	CU_ASSERT_PTR_NULL(sites_find(t, ""));
	sites_table_free(t);
	free(g);
}

/* Past SITES_RSE_MAX names, the rest are ignored; known names still work. */
static void
test_sites_cap(void)
{
	int			 n = SITES_RSE_MAX + 100;
	char			*g = grafana_list(n, n), err[256], name[16];
	struct sites_table	*t;
	const struct site_rse	*r;
	json_t			*svc;

	t = sites_parse_scapi(g, "[]", "[]", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, SITES_RSE_MAX);
	CU_ASSERT_EQUAL(t->dropped, 100);
	snprintf(name, sizeof(name), "R%d", SITES_RSE_MAX - 1);
	CU_ASSERT_PTR_NOT_NULL(r = sites_find(t, name));
	CU_ASSERT_TRUE(r != NULL && r->lat == SITES_RSE_MAX - 1);
	snprintf(name, sizeof(name), "R%d", SITES_RSE_MAX);
	CU_ASSERT_PTR_NULL(sites_find(t, name));
	/* A service beside an area the table has no room for: skipped. */
	svc = json_pack("{s:s, s:s}", "type", "soda_sync", "host", "h");
	CU_ASSERT_EQUAL(sites_add_service(t, name, svc), 0);
	CU_ASSERT_PTR_NULL(sites_find(t, name));
	json_decref(svc);
	sites_table_free(t);
	free(g);
}

/*
 * SCAPI: services find their area through an index of the ids (the first
 * area of an id wins), and at most SITES_SERVICES_MAX of a kind are kept.
 */
static void
test_sites_services(void)
{
	struct strbuf		 a = STRBUF_INIT, v = STRBUF_INIT;
	char			*g = grafana_list(2000, 2000), err[256];
	struct sites_table	*t;
	const struct site_rse	*r;

	strbuf_puts(&a, "[");
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&a, "{\"id\": \"a%d\", \"name\": \"R%d\"}, ",
		    i, i);
	strbuf_puts(&a, "{\"id\": \"a7\", \"name\": \"R8\"}]");
	strbuf_puts(&v, "[");
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&v, "{\"type\": \"soda_sync\", "
		    "\"host\": \"h%d\", \"associated_storage_area_id\": "
		    "\"a%d\"}, ", i, i);
	for (int i = 0; i < SITES_SERVICES_MAX + 5; i++)
		strbuf_printf(&v, "{\"type\": \"soda_async\", "
		    "\"host\": \"x%d\", \"associated_storage_area_id\": "
		    "\"a3\"}, ", i);
	strbuf_puts(&v, "{\"type\": \"soda_sync\", \"host\": \"n\", "
	    "\"associated_storage_area_id\": \"nowhere\"}]");
	t = sites_parse_scapi(g, a.s, v.s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R7"));
	CU_ASSERT_EQUAL(r->nsync, 1);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "https://h7");
	CU_ASSERT_EQUAL(sites_find(t, "R8")->nsync, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R3"));
	CU_ASSERT_EQUAL(r->nasync, SITES_SERVICES_MAX);
	CU_ASSERT_STRING_EQUAL(r->async[SITES_SERVICES_MAX - 1].url,
	    "https://x31");
	CU_ASSERT_EQUAL(t->dropped, 5);
	sites_table_free(t);
	strbuf_free(&a);
	strbuf_free(&v);
	free(g);
}

/* 2023: every SODA service of a site beside each of its RSEs, capped. */
static void
test_sites_2023_many(void)
{
	struct strbuf		 v = STRBUF_INIT;
	char			 err[256];
	struct sites_table	*t;
	const struct site_rse	*r;

	strbuf_puts(&v, "[{\"name\": \"S\", \"services\": [");
	for (int i = 0; i < 500; i++)
		strbuf_printf(&v, "{\"type\": \"Rucio Storage Element (RSE)\", "
		    "\"identifier\": \"R%d\"}, {\"type\": \"SODA (sync)\", "
		    "\"host\": \"s%d\"}, ", i, i);
	strbuf_puts(&v, "{\"type\": \"SODA (async)\", \"host\": \"a\"}]},"
	    "{\"name\": \"T\", \"services\": [{\"type\": "
	    "\"Rucio Storage Element (RSE)\", \"identifier\": \"R0\"}]}]");
	t = sites_parse_2023("[]", v.s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R499"));
	CU_ASSERT_EQUAL(r->nsync, SITES_SERVICES_MAX);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "https://s0");
	CU_ASSERT_STRING_EQUAL(r->sync[SITES_SERVICES_MAX - 1].url,
	    "https://s31");
	CU_ASSERT_EQUAL(r->nasync, 1);
	CU_ASSERT_EQUAL(sites_find(t, "R0")->nsync, SITES_SERVICES_MAX);
	sites_table_free(t);
	strbuf_free(&v);
}

static void
test_backoff_steps(void)
{
	struct backoff	 b = { 0, 0 };
	long		 waits[] = { 1000, 2000, 4000, 8000, 16000, 32000,
			    60000, 60000 };

	CU_ASSERT_EQUAL(backoff_left(&b, 5), 0);
	backoff_failed(&b, 100);
	CU_ASSERT_EQUAL(backoff_left(&b, 100), BACKOFF_FIRST_MS);
	CU_ASSERT_EQUAL(backoff_left(&b, 1099), 1);
	CU_ASSERT_EQUAL(backoff_left(&b, 1100), 0);
	backoff_reset(&b);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		backoff_failed(&b, 0);
		CU_ASSERT_EQUAL(b.wait, waits[i]);
		CU_ASSERT_EQUAL(backoff_left(&b, 0), waits[i]);
	}
	CU_ASSERT_EQUAL(b.wait, BACKOFF_MAX_MS);
	backoff_reset(&b);
	CU_ASSERT_EQUAL(backoff_left(&b, 0), 0);
	backoff_failed(&b, 0);
	CU_ASSERT_EQUAL(b.wait, BACKOFF_FIRST_MS);
}

/* The site directory: not asked again while its back-off runs. */
static void
test_sites_backoff(void)
{
	struct fake		 f;
	struct http		*h = test_http();
	struct sites		*s;
	struct sites_opts	 o = { NULL, SITES_SCAPI, NULL, NULL, 0 };
	const struct sites_table *t;
	char			 url[64];
	int			 stale;

	CU_ASSERT_FATAL(h != NULL && fake_start(&f) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1", f.port);
	o.url = url;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s = sites_new(&o));
	fake_set(&f, 503, NULL);
	/* Never fetched: NULL, and at once for the requests that follow. */
	CU_ASSERT_PTR_NULL(sites_get(s, h, &stale));
	CU_ASSERT_EQUAL(fake_hits(&f), 1);
	CU_ASSERT_PTR_NULL(sites_get(s, h, &stale));
	CU_ASSERT_PTR_NULL(sites_get(s, h, &stale));
	CU_ASSERT_EQUAL(fake_hits(&f), 1);
	CU_ASSERT_EQUAL(sites_backoff(s)->wait, BACKOFF_FIRST_MS);
	sites_backoff(s)->until = 0;	/* the wait is over */
	CU_ASSERT_PTR_NULL(sites_get(s, h, &stale));
	CU_ASSERT_EQUAL(fake_hits(&f), 2);
	CU_ASSERT_EQUAL(sites_backoff(s)->wait, 2 * BACKOFF_FIRST_MS);
	/* Back: the table, and the back-off forgotten. */
	fake_set(&f, 200, NULL);
	sites_backoff(s)->until = 0;
	t = sites_get(s, h, &stale);
	CU_ASSERT_TRUE(t != NULL && t->n == 1 && !stale);
	CU_ASSERT_EQUAL(fake_hits(&f), 5);
	CU_ASSERT_EQUAL(sites_backoff(s)->wait, 0);
	/* Down again (TTL 0: every get refetches): the stale table, at once. */
	fake_set(&f, 503, NULL);
	CU_ASSERT_PTR_EQUAL(sites_get(s, h, &stale), t);
	CU_ASSERT_TRUE(stale);
	CU_ASSERT_EQUAL(fake_hits(&f), 6);
	CU_ASSERT_EQUAL(sites_backoff(s)->wait, BACKOFF_FIRST_MS);
	stale = 0;
	CU_ASSERT_PTR_EQUAL(sites_get(s, h, &stale), t);
	CU_ASSERT_TRUE(stale);
	CU_ASSERT_EQUAL(fake_hits(&f), 6);
	sites_free(s);
	http_free(h);
	fake_stop(&f);
}

static struct oauth2 *
test_oauth2(struct fake *f)
{
	char			 url[64];
	struct oauth2_opts	 o = { url, "id", "secret", "openid", "aud" };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/token", f->port);
	return oauth2_new(&o);
}

/* The token endpoint: not asked again while its back-off runs. */
static void
test_oauth2_backoff(void)
{
	struct fake	 f;
	struct http	*h = test_http();
	struct oauth2	*a;
	char		 err[256], first[256];
	int		 transient;

	CU_ASSERT_FATAL(h != NULL && fake_start(&f) == 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a = test_oauth2(&f));
	fake_set(&f, 503, NULL);
	CU_ASSERT_PTR_NULL(oauth2_token(a, h, &transient, first,
	    sizeof(first)));
	CU_ASSERT_TRUE(transient);
	CU_ASSERT_PTR_NOT_NULL(strstr(first, "HTTP 503"));
	CU_ASSERT_PTR_NULL(oauth2_token(a, h, &transient, err, sizeof(err)));
	CU_ASSERT_TRUE(transient);
	CU_ASSERT_STRING_EQUAL(err, first);
	CU_ASSERT_EQUAL(fake_hits(&f), 1);
	/* A refusal is not transient, and is not asked again either. */
	fake_set(&f, 401, NULL);
	oauth2_backoff(a)->until = 0;
	CU_ASSERT_PTR_NULL(oauth2_token(a, h, &transient, err, sizeof(err)));
	CU_ASSERT_FALSE(transient);
	CU_ASSERT_PTR_NULL(oauth2_token(a, h, &transient, err, sizeof(err)));
	CU_ASSERT_FALSE(transient);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused"));
	CU_ASSERT_EQUAL(fake_hits(&f), 2);
	CU_ASSERT_EQUAL(oauth2_backoff(a)->wait, 2 * BACKOFF_FIRST_MS);
	fake_set(&f, 200, NULL);
	oauth2_backoff(a)->until = 0;
	CU_ASSERT_STRING_EQUAL(oauth2_token(a, h, &transient, err,
	    sizeof(err)), "tok");
	CU_ASSERT_EQUAL(oauth2_backoff(a)->wait, 0);
	CU_ASSERT_EQUAL(fake_hits(&f), 3);
	oauth2_free(a);
	http_free(h);
	fake_stop(&f);
}

/*
 * expires_in out of range: a token is still kept (not fetched on every
 * call), and a huge value does not overflow (UBSan would stop here).
 */
static void
test_oauth2_expires(void)
{
	const char *const	 values[] = { "9223372036854775807",
				    "-9223372036854775807", "-5", "0", "30",
				    "1e300", "\"3600\"", NULL };
	struct fake		 f;
	struct http		*h = test_http();
	struct oauth2		*a;
	char			 err[256];
	int			 transient, hits;

	CU_ASSERT_FATAL(h != NULL && fake_start(&f) == 0);
	for (int i = 0; values[i] != NULL; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(a = test_oauth2(&f));
		fake_set(&f, 200, values[i]);
		hits = fake_hits(&f);
		CU_ASSERT_PTR_NOT_NULL(oauth2_token(a, h, &transient, err,
		    sizeof(err)));
		CU_ASSERT_PTR_NOT_NULL(oauth2_token(a, h, &transient, err,
		    sizeof(err)));
		/* One fetch for both calls. */
		CU_ASSERT_EQUAL(fake_hits(&f), hits + 1);
		oauth2_free(a);
	}
	http_free(h);
	fake_stop(&f);
}

void
suite_upstream(void)
{
	CU_pSuite	 s = CU_add_suite("upstream", NULL, NULL);

	CU_add_test(s, "site table: many names, duplicates", test_sites_many);
	CU_add_test(s, "site table: the cap on storage areas", test_sites_cap);
	CU_add_test(s, "site table: SCAPI services, area index, cap",
	    test_sites_services);
	CU_add_test(s, "site table: 2023 services per site",
	    test_sites_2023_many);
	CU_add_test(s, "back-off: doubling, cap, reset", test_backoff_steps);
	CU_add_test(s, "back-off: the site directory", test_sites_backoff);
	CU_add_test(s, "back-off: the token endpoint", test_oauth2_backoff);
	CU_add_test(s, "OAuth2 expires_in held to a range",
	    test_oauth2_expires);
}
