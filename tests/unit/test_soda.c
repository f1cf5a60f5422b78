/* soda_params: every SODA cutout parameter, valid and not. */
#include <string.h>

#include "helpers.h"
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

void
suite_soda(void)
{
	CU_pSuite	 s = CU_add_suite("soda", NULL, NULL);

	CU_add_test(s, "valid cutout parameters, canonical form", test_valid);
	CU_add_test(s, "invalid cutout parameters, with their reasons", test_invalid);
}
