/*
 * soda_params: every SODA cutout parameter, valid and not; the proxy's
 * request checks (cut.c), the upstream URL it builds, and how it tells an
 * error document from anything else (relay.c).
 */
#include <string.h>

#include "cut.h"
#include "helpers.h"
#include "relay.h"
#include "soda_params.h"

static void
ok(enum soda_kind k, const char *in, const char *want)
{
	struct strbuf	 b = STRBUF_INIT;
	char		 err[256] = "";

	CU_ASSERT_EQUAL(soda_param(k, in, &b, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), want);
	strbuf_free(&b);
}

static void
bad(enum soda_kind k, const char *in, const char *msg)
{
	struct strbuf	 b = STRBUF_INIT;
	char		 err[256] = "";

	CU_ASSERT_EQUAL(soda_param(k, in, &b, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	strbuf_free(&b);
}

static void
test_valid(void)
{
	ok(SODA_POS, "CIRCLE 53.75 -24.93  0.1", "CIRCLE 53.75 -24.93 0.1");
	ok(SODA_POS, "circle 10 20 1e-2", "CIRCLE 10 20 0.01");
	ok(SODA_POS, "RANGE 10 11 -Inf +Inf", "RANGE 10 11 -Inf +Inf");
	ok(SODA_POS, "POLYGON 10 10 11 10 11 11", "POLYGON 10 10 11 10 11 11");
	ok(SODA_CIRCLE, "10 20 0.5", "10 20 0.5");
	ok(SODA_POLYGON, "10 10 10.2 10 10.2 10.2", "10 10 10.2 10 10.2 10.2");
	/* pyvo writes infinities as Python does. */
	ok(SODA_BAND, "5e-07 inf", "5e-07 +Inf");
	ok(SODA_BAND, "-inf 6e-07", "-Inf 6e-07");
	ok(SODA_TIME, "55000 55001.5", "55000 55001.5");
	ok(SODA_POL, "I", "I");
	ok(SODA_POL, "POLI", "POLI");
}

static void
test_invalid(void)
{
	bad(SODA_POS, "BOX 1 2 3 4", "must start with CIRCLE, RANGE or POLYGON");
	bad(SODA_POS, "CIRCLE 10 95 1", "centre must be in");
	bad(SODA_POS, "CIRCLE 10 20", "a circle is lon lat radius");
	bad(SODA_POS, "CIRCLE 10 20 0", "radius in (0, 180]");
	bad(SODA_POS, "RANGE 11 10 0 1", "RANGE is lon1 lon2 lat1 lat2");
	bad(SODA_POS, "POLYGON 10 10 11 10", "at least 3 lon lat pairs");
	bad(SODA_POS, "CIRCLE inf 0 1", "is not a number");
	bad(SODA_CIRCLE, "10 20 x", "'x' is not a number");
	bad(SODA_POLYGON, "10 10 11 10 11", "at least 3 lon lat pairs");
	bad(SODA_POLYGON, "10 10 11 10 400 11", "vertex 3 is outside");
	bad(SODA_BAND, "6e-07 5e-07", "an interval is two numbers");
	bad(SODA_BAND, "5e-07", "an interval is two numbers");
	bad(SODA_TIME, "nan 1", "is not a number");
	bad(SODA_POL, "i", "is not a polarization state");
	bad(SODA_POL, "", "is not a polarization state");
}

/* Parse QUERY; returns what soda_cut_parse returned, WHY filled. */
static int
cut(const char *query, struct soda_cut *c, struct soda_refusal *why)
{
	struct request	 req;

	req_get(&req, "/soda/sync", query);
	memset(why, 0, sizeof(*why));
	return soda_cut_parse(c, &req, 100, why);
}

static void
refused(const char *query, int status, const char *text)
{
	struct soda_cut		 c;
	struct soda_refusal	 why;

	CU_ASSERT_EQUAL(cut(query, &c, &why), -1);
	CU_ASSERT_EQUAL(why.status, status);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.text, text));
	if (strstr(why.text, text) == NULL)
		fprintf(stderr, "\n%s -> %d %s\n", query, why.status, why.text);
	soda_cut_free(&c);
}

static void
test_cut_refused(void)
{
	refused("CIRCLE=10+20+0.5", 400, "UsageError: ID: missing");
	refused("ID=a:b&ID=a:c", 400, "MultiValuedParamNotSupported: ID");
	refused("ID=a:b&CIRCLE=1+2+3&circle=1+2+4", 400,
	    "MultiValuedParamNotSupported: CIRCLE");
	refused("ID=a:b&BAND=1+2&band=3+4", 400, "MultiValuedParamNotSupported");
	refused("ID=no-colon", 400, "UsageError");
	refused("ID=ivo://auth?", 400, "UsageError");
	refused("ID=a:b&CIRCLE=10+95+1", 400, "UsageError: CIRCLE");
	refused("ID=a:b&POS=BOX+1+2+3+4", 400, "UsageError: POS");
	refused("ID=a:b&POL=I&POL=Z", 400, "UsageError: POL");
	refused("ID=a:b&TIME=2+1", 400, "UsageError: TIME");
	refused("ID=a:b&sort=closest", 400, "UsageError: sort: 'closest' is not "
	    "nearest_by_client, nearest_by_ip or random");
	refused("ID=a:b&ranking=-1", 400, "UsageError: ranking");
	/* The same declaration as DataLink's: an address, or a usage error. */
	refused("ID=a:b&client_ip_address=localhost", 400, "UsageError: "
	    "client_ip_address: 'localhost' is not an IPv4 or IPv6 address");
	refused("ID=a:b&client_ip_address=1.2.3.4%0a", 400,
	    "UsageError: client_ip_address");
	refused("ID=a:b&RESPONSEFORMAT=a%0d%0aX:%20y", 400,
	    "UsageError: RESPONSEFORMAT");
	refused("ID=a:b&CIRCLE=%zz", 400, "UsageError");
}

static void
test_cut_url(void)
{
	struct soda_cut		 c;
	struct soda_refusal	 why;
	struct strbuf		 u = STRBUF_INIT;

	CU_ASSERT_EQUAL_FATAL(cut("id=ivo%3A%2F%2Fa%2Fb%3Ftesting%3Ax.fits&"
	    "circle=10+20+5e-1&pol=I&POL=Q&Band=-inf+6e-07&sort=random&"
	    "RESPONSEFORMAT=application/fits&client_ip_address=1.2.3.4&x=y",
	    &c, &why), 0);
	CU_ASSERT_STRING_EQUAL(c.did.scope, "testing");
	CU_ASSERT_STRING_EQUAL(c.did.name, "x.fits");
	CU_ASSERT_EQUAL(c.sort, CHOOSE_RANDOM);
	CU_ASSERT_STRING_EQUAL(c.client_ip, "1.2.3.4");
	/* The path form: md5("testing:x.fits") gives the two directories. */
	CU_ASSERT_EQUAL(soda_cut_url(&c, "https://s.test/soda", ID_FORM_PATH,
	    "auth.test/fits", &u), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&u), "https://s.test/soda?ID="
	    "ivo%3A%2F%2Fauth.test%2Ffits%3Ftesting%2F"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&u), "%2Fx.fits&CIRCLE=10%2020"
	    "%200.5&BAND=-Inf%206e-07&POL=I&POL=Q&RESPONSEFORMAT="
	    "application%2Ffits"));
	CU_ASSERT_PTR_NULL(strstr(strbuf_str(&u), "client_ip"));
	CU_ASSERT_PTR_NULL(strstr(strbuf_str(&u), "x=y"));
	strbuf_reset(&u);
	CU_ASSERT_EQUAL(soda_cut_url(&c, "https://s.test/soda?site=1",
	    ID_FORM_DID, "auth.test/fits", &u), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&u),
	    "https://s.test/soda?site=1&ID=testing%3Ax.fits&CIRCLE="));
	strbuf_free(&u);
	soda_cut_free(&c);
}

static void
test_error_doc(void)
{
	CU_ASSERT_TRUE(relay_is_error_doc("text/plain", "UsageError: bad"));
	CU_ASSERT_TRUE(relay_is_error_doc("text/plain; charset=utf-8",
	    "\nServiceUnavailable: later"));
	CU_ASSERT_TRUE(relay_is_error_doc("text/plain", "Error"));
	CU_ASSERT_TRUE(relay_is_error_doc("application/x-votable+xml",
	    "<VOTABLE><INFO name=\"QUERY_STATUS\" value=\"ERROR\"/>"));
	CU_ASSERT_FALSE(relay_is_error_doc("text/html", "UsageError: in html"));
	CU_ASSERT_FALSE(relay_is_error_doc("text/plain", "Errors happen"));
	CU_ASSERT_FALSE(relay_is_error_doc("text/plain", "Internal failure"));
	CU_ASSERT_FALSE(relay_is_error_doc("application/x-votable+xml",
	    "<VOTABLE/>"));
}

/* Relay REQ-less: answer with URLS and the options, into C. */
static void
relay_into(struct captured *c, const char *auth, int plain_ok,
    const char *const *urls, int n)
{
	struct http_opts	 ho = { 200, 1000, NULL };
	struct relay_opts	 o = { 500, 500, 0, auth, plain_ok };
	struct http		*h = http_new(&ho);

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	cap_init(c);
	relay_run(h, &o, urls, n, &c->resp);
	resp_finish(&c->resp);
	http_free(h);
}

static void
test_tokens_need_https(void)
{
	/* Port 1 on loopback: refused at once, if it is ever called. */
	const char *const	 plain[] = { "http://127.0.0.1:1/soda?ID=x" };
	struct captured		 c;

	/* With a token, a plain http service is not even called. */
	relay_into(&c, "Bearer secret", 0, plain, 1);
	CU_ASSERT_EQUAL(c.resp.status, 503);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "is reached over https"));
	cap_free(&c);
	/* Without one, or with the unsafe setting, it is tried. */
	relay_into(&c, NULL, 0, plain, 1);
	CU_ASSERT_EQUAL(c.resp.status, 503);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "data could be reached"));
	cap_free(&c);
	relay_into(&c, "Bearer secret", 1, plain, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "data could be reached"));
	cap_free(&c);
}

void
suite_soda(void)
{
	CU_pSuite	 s = CU_add_suite("soda", NULL, NULL);

	CU_add_test(s, "valid cutout parameters, canonical form", test_valid);
	CU_add_test(s, "invalid cutout parameters, with their reasons", test_invalid);
	CU_add_test(s, "proxy: every refused request, label and status",
	    test_cut_refused);
	CU_add_test(s, "proxy: the upstream URL, in both ID forms", test_cut_url);
	CU_add_test(s, "proxy: error documents told from other bodies",
	    test_error_doc);
	CU_add_test(s, "proxy: tokens go to https services only",
	    test_tokens_need_https);
}
