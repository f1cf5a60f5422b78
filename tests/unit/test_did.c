/*
 * did and the upstream URLs built from DIDs: what is refused (what could
 * climb out of a URL prefix or corrupt a log line or document), what is
 * let through to Rucio (any other UTF-8 name), and the deterministic path
 * Rucio's hash lfn2pfn gives, user and group scopes included.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "did.h"
#include "helpers.h"
#include "http.h"
#include "strbuf.h"

static int
parses(const char *s)
{
	struct did	 d;
	char		 err[256];

	return did_parse(s, &d, err, sizeof(err)) == 0;
}

/* did_parse(S) fails with a message that starts with WHY. */
static void
refused(const char *s, const char *why)
{
	struct did	 d;
	char		 err[256] = "";

	CU_ASSERT_EQUAL(did_parse(s, &d, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(strncmp(err, why, strlen(why)), 0);
	if (strncmp(err, why, strlen(why)) != 0)
		fprintf(stderr, "\n%s: got \"%s\"\n", s, err);
}

static void
test_rules(void)
{
	struct did	 d;
	char		 err[256], name[1100];

	CU_ASSERT_EQUAL(did_parse("testing:PTF10tce.fits", &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.scope, "testing");
	CU_ASSERT_STRING_EQUAL(d.name, "PTF10tce.fits");
	/* Split on the first ':'; names may hold '/' and ':'. */
	CU_ASSERT_EQUAL(did_parse("user.a:dir/sub/f.fits", &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.name, "dir/sub/f.fits");
	CU_ASSERT_TRUE(parses("s:a:b"));
	/* Which names exist is Rucio's business: UTF-8, spaces, dots. */
	CU_ASSERT_TRUE(parses("testing:Observa\xc3\xa7\xc3\xa3o M1 \xe2\x80\x93 "
	    "Crab nebula.fits"));
	CU_ASSERT_TRUE(parses("s:.hidden"));
	CU_ASSERT_TRUE(parses("s:a/..b/c."));
	refused("nocolon", "not a Rucio DID");
	refused(":name", "the scope must be");
	refused("sc ope:n", "the scope must be");
	refused("abcdefghijklmnopqrstuvwxyz:n", "the scope must be");
	refused("scope:", "the name must be 1 to 250");
	/* What could leave a URL's prefix or the RSE's directory. */
	refused("..:accounts", "the scope must be");
	refused(".:x", "the scope must be");
	refused("user..x:n", "the scope must be");
	refused("user.:n", "the scope must be");
	refused("group.x.:n", "the scope must be");
	refused("sc:a/../../../../admin/secret", "the name must not hold");
	refused("sc:..", "the name must not hold");
	refused("sc:.", "the name must not hold");
	refused("sc:a/./b", "the name must not hold");
	refused("sc:/abs", "the name must not hold");
	refused("sc:dir/", "the name must not hold");
	refused("sc:a//b", "the name must not hold");
	/* What no log line, URL or XML document should carry raw. */
	refused("sc:a\nb", "the name must be UTF-8 text");
	refused("sc:a\tb", "the name must be UTF-8 text");
	refused("sc:a\x7f", "the name must be UTF-8 text");
	refused("sc:a\xc2\x85", "the name must be UTF-8 text");	/* C1 NEL */
	refused("sc:a\xff", "the name must be UTF-8 text");
	refused("sc:a\xc0\xaf", "the name must be UTF-8 text");	/* overlong / */
	refused("sc:a\xed\xa0\x80", "the name must be UTF-8 text");	/* surrogate */
	refused("sc:a\xe2\x82", "the name must be UTF-8 text");	/* cut short */
	/* 250 characters, counted as Rucio counts them, not bytes. */
	strcpy(name, "s:");
	for (int i = 0; i < 250; i++)
		strcat(name, "\xc3\xa9");
	CU_ASSERT_TRUE(parses(name));
	strcat(name, "x");
	refused(name, "the name must be 1 to 250 characters");
}

static void
test_path(void)
{
	struct did	 d;
	char		 err[256], buf[DID_STR_MAX + 64];

	/* Rucio's hash lfn2pfn: md5("scope:name") -> h1/h2. */
	CU_ASSERT_EQUAL(did_parse("sp3531_soda:2023-07-18-16-40-27_ASK-WALLABY_"
	    "Eridanus_cutout-574594-imagecube-42178.fits", &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(did_path(&d, buf, sizeof(buf)), "sp3531_soda/9b/98/"
	    "2023-07-18-16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-"
	    "42178.fits");
	CU_ASSERT_STRING_EQUAL(did_ivoid(&d, "auth.test/fits", buf,
	    sizeof(buf)), "ivo://auth.test/fits?sp3531_soda/9b/98/2023-07-18-"
	    "16-40-27_ASK-WALLABY_Eridanus_cutout-574594-imagecube-42178.fits");
	CU_ASSERT_PTR_NULL(did_ivoid(&d, "auth.test/fits", buf, 40));
	/* The dots of user.* and group.* scopes become directories. */
	CU_ASSERT_EQUAL(did_parse("user.jdoe:notebook_output.fits", &d, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(did_path(&d, buf, sizeof(buf)),
	    "user/jdoe/a9/2d/notebook_output.fits");
	CU_ASSERT_STRING_EQUAL(d.scope, "user.jdoe");
	CU_ASSERT_EQUAL(did_parse("group.phys.ska:x.fits", &d, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(strncmp(did_path(&d, buf, sizeof(buf)),
	    "group/phys/ska/", 15), 0);
	/* Other scopes keep their dots. */
	CU_ASSERT_EQUAL(did_parse("sk.a:x.fits", &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(strncmp(did_path(&d, buf, sizeof(buf)), "sk.a/", 5), 0);
	/* UTF-8 names hash as Rucio hashes them: their UTF-8 bytes. */
	CU_ASSERT_EQUAL(did_parse("testing:Observa\xc3\xa7\xc3\xa3o M1 \xe2\x80"
	    "\x93 Crab nebula.fits", &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(did_path(&d, buf, sizeof(buf)), "testing/b0/ce/"
	    "Observa\xc3\xa7\xc3\xa3o M1 \xe2\x80\x93 Crab nebula.fits");
}

/* did_parse_id(ID) gives SCOPE and NAME. */
static void
id_is(const char *id, const char *scope, const char *name)
{
	struct did	 d;
	char		 err[256];

	CU_ASSERT_EQUAL_FATAL(did_parse_id(id, &d, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(d.scope, scope);
	CU_ASSERT_STRING_EQUAL(d.name, name);
}

static void
test_ids(void)
{
	struct did	 d;
	char		 err[256];

	id_is("ivo://a?testing:PTF10tce.fits", "testing", "PTF10tce.fits");
	id_is("testing:PTF10tce.fits", "testing", "PTF10tce.fits");
	/* The path form is split where the hash directories match ... */
	id_is("ivo://auth/fits?user/jdoe/a9/2d/notebook_output.fits",
	    "user.jdoe", "notebook_output.fits");
	id_is("ivo://auth/fits?sp3531_soda/3b/f0/wallaby/2024/NGC5044_cube.fits",
	    "sp3531_soda", "wallaby/2024/NGC5044_cube.fits");
	/* ... else the first segment is the scope and the last the name. */
	id_is("ivo://auth.example.org/datasets/fits?sp3531_soda/9b/98/x.fits",
	    "sp3531_soda", "x.fits");
	id_is("ivo://auth/fits?user/jdoe/00/00/x.fits", "user", "x.fits");
	CU_ASSERT_EQUAL(did_parse_id("ivo://a", &d, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(did_parse_id("ivo://a?..:x", &d, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(did_parse_id("ivo://a?../00/00/x", &d, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(did_parse_id("ivo://a?s/00/00/..", &d, err,
	    sizeof(err)), -1);
}

/* The path of URL as libcurl sends it (after its dot-segment removal). */
static const char *
curl_path(const char *url, char *buf, size_t size)
{
	CURLU	*u = curl_url();
	char	*p = NULL;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
		snprintf(buf, size, "(unparsed)");
	else
		snprintf(buf, size, "%s", p);
	curl_free(p);
	curl_url_cleanup(u);
	return buf;
}

static void
test_url_builders(void)
{
	static const char *const hostile[] = {
		"..", ".", "", "a/../../admin",
		"a/./b", "/abs", "a//b", "dir/", NULL
	};
	struct strbuf	 b = STRBUF_INIT;
	char		 path[1024];

	CU_ASSERT_EQUAL(http_escape(&b, "dir/sub f+:x~.-_"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "dir%2Fsub%20f%2B%3Ax~.-_");
	strbuf_reset(&b);
	/* One segment: '/' encoded; the path form keeps it between segments. */
	CU_ASSERT_EQUAL(http_add_segment(&b, "dir/sub f+:x~.-_"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "/dir%2Fsub%20f%2B%3Ax~.-_");
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(http_add_path(&b, "dir/sub f+:x~.-_"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "/dir/sub%20f%2B%3Ax~.-_");
	for (int i = 0; hostile[i] != NULL; i++) {
		strbuf_reset(&b);
		CU_ASSERT_EQUAL(http_add_path(&b, hostile[i]), -1);
		if (strchr(hostile[i], '/') == NULL) {
			strbuf_reset(&b);
			CU_ASSERT_EQUAL(http_add_segment(&b, hostile[i]), -1);
		}
	}
	/* Whatever a segment holds, libcurl sends the path as built. */
	strbuf_reset(&b);
	strbuf_puts(&b, "https://dm.test/api/v1/data/locate");
	CU_ASSERT_EQUAL(http_add_segment(&b, "..x"), 0);
	CU_ASSERT_EQUAL(http_add_path(&b, "a/..b/%2e./\xc3\xa7 ?#"), 0);
	CU_ASSERT_STRING_EQUAL(curl_path(strbuf_str(&b), path, sizeof(path)),
	    strbuf_str(&b) + strlen("https://dm.test"));
	CU_ASSERT_FALSE(http_url_climbs(strbuf_str(&b)));
	strbuf_free(&b);
}

static void
test_url_guard(void)
{
	CU_ASSERT_TRUE(http_url_climbs("https://h/api/v1/data/sc/a/../../x"));
	CU_ASSERT_TRUE(http_url_climbs("https://h/rucio/dids/../accounts/meta"));
	CU_ASSERT_TRUE(http_url_climbs("https://h/a/./b"));
	CU_ASSERT_TRUE(http_url_climbs("https://h/a/%2E%2e/b"));
	CU_ASSERT_TRUE(http_url_climbs("https://h/a/.."));
	CU_ASSERT_TRUE(http_url_climbs("https://h/a/..?x=1"));
	CU_ASSERT_FALSE(http_url_climbs("https://h/a/b?x=../.."));
	CU_ASSERT_FALSE(http_url_climbs("https://h/a/..b/.c/x.fits"));
	CU_ASSERT_FALSE(http_url_climbs("https://h"));
	CU_ASSERT_FALSE(http_url_climbs("https://h/"));
	CU_ASSERT_FALSE(http_url_climbs("https://h//a"));
}

static void
test_url_encode(void)
{
	struct strbuf	 b = STRBUF_INIT;

	/* A PFN with a UTF-8 name, as Rucio writes it, made a valid URI. */
	CU_ASSERT_EQUAL(http_url_encode(&b, "https://st.test:443/d/testing/b0/ce/"
	    "Observa\xc3\xa7\xc3\xa3o M1 \xe2\x80\x93 Crab nebula.fits"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "https://st.test:443/d/testing/"
	    "b0/ce/Observa%C3%A7%C3%A3o%20M1%20%E2%80%93%20Crab%20nebula.fits");
	strbuf_reset(&b);
	/* Reserved characters and escapes already made stay as they are. */
	CU_ASSERT_EQUAL(http_url_encode(&b, "root://h:1094//a/b%20c?x=1&y=[2]#f"),
	    0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), "root://h:1094//a/b%20c?x=1&y=[2]#f");
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(http_url_encode(&b, "https://h/<a>\"{|}\\^`"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b),
	    "https://h/%3Ca%3E%22%7B%7C%7D%5C%5E%60");
	strbuf_free(&b);
}

static void
test_deadline(void)
{
	struct http_opts	 ho = { 2000, 10000, NULL };
	struct http		*h = http_new(&ho);
	struct http_reply	 rep;
	struct timespec		 nap = { 0, 20 * 1000 * 1000 };
	char			 err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(http_time_left(h), LONG_MAX);
	http_deadline(h, 10);
	CU_ASSERT_TRUE(http_time_left(h) <= 10);
	nanosleep(&nap, NULL);
	CU_ASSERT_TRUE(http_time_left(h) <= 0);
	/* Past the deadline nothing is sent: the answer is at once. */
	CU_ASSERT_EQUAL(http_call(h, "GET", "http://127.0.0.1:1/x", NULL, NULL,
	    &rep, err, sizeof(err)), HTTP_ETIMEOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "time limit"));
	http_reply_free(&rep);
	/* A URL that climbs is refused before any connection. */
	http_deadline(h, 0);
	CU_ASSERT_EQUAL(http_call(h, "GET", "http://127.0.0.1:1/a/../x", NULL,
	    NULL, &rep, err, sizeof(err)), HTTP_EOTHER);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'..' path segment"));
	http_reply_free(&rep);
	http_free(h);
}

void
suite_did(void)
{
	CU_pSuite	 s = CU_add_suite("did", NULL, NULL);

	CU_add_test(s, "DIDs: what is refused, what reaches Rucio", test_rules);
	CU_add_test(s, "deterministic path: user and group scopes, UTF-8",
	    test_path);
	CU_add_test(s, "dataset IDs: the forms SODA clients send", test_ids);
	CU_add_test(s, "upstream paths cannot leave their prefix",
	    test_url_builders);
	CU_add_test(s, "URLs with dot segments are not called", test_url_guard);
	CU_add_test(s, "PFNs made valid URIs", test_url_encode);
	CU_add_test(s, "a request's deadline bounds its calls", test_deadline);
}
