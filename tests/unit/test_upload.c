/*
 * upload: the UPLOAD parameter (TAP 1.1 §2.5.5) read into the tables a
 * query names as TAP_UPLOAD.name, and each inline one given the part of
 * the request it names.
 */
#include <string.h>

#include "helpers.h"
#include "params.h"
#include "tap_upload.h"

static int
parse(struct tap_uploads *u, const char *value, char *why, size_t size)
{
	memset(u, 0, sizeof(*u));
	return tap_upload_parse(u, value, why, size);
}

static void
test_parse(void)
{
	struct tap_uploads	 u;
	char			 why[256];

	CU_ASSERT_EQUAL(parse(&u, "t1,param:t1", why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(u.n, 1);
	CU_ASSERT_STRING_EQUAL(u.up[0].name, "t1");
	CU_ASSERT_EQUAL(u.up[0].partlen, 2);
	CU_ASSERT_EQUAL(memcmp(u.up[0].part, "t1", 2), 0);
	/* TAP 1.0's form: several joined by ';', URLs beside parts. */
	CU_ASSERT_EQUAL(parse(&u, "a,param:x;B_2,https://h.example/t?x=1",
	    why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(u.n, 2);
	CU_ASSERT_PTR_NULL(u.up[1].part);
	CU_ASSERT_EQUAL(u.up[1].urilen, strlen("https://h.example/t?x=1"));
	/* A second value adds to the first. */
	CU_ASSERT_EQUAL(tap_upload_parse(&u, "c,http://h/c", why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(u.n, 3);
}

static void
refused(const char *value, const char *want)
{
	struct tap_uploads	 u;
	char			 why[256] = "";

	CU_ASSERT_EQUAL(parse(&u, value, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, want);
}

static void
test_refused(void)
{
	char	 many[40 * 20] = "", one[40];

	refused("t1", "UPLOAD: 't1' is not name,URI");
	refused(",param:x", "UPLOAD: '' is not a table name (a letter, then "
	    "letters, digits or _, at most 63, not an ADQL reserved word)");
	refused("1t,param:x", "UPLOAD: '1t' is not a table name (a letter, "
	    "then letters, digits or _, at most 63, not an ADQL reserved "
	    "word)");
	refused("select,param:x", "UPLOAD: 'select' is not a table name (a "
	    "letter, then letters, digits or _, at most 63, not an ADQL "
	    "reserved word)");
	refused("t\"x,param:x", "UPLOAD: 't\"x' is not a table name (a "
	    "letter, then letters, digits or _, at most 63, not an ADQL "
	    "reserved word)");
	refused("t,ftp://h/t", "UPLOAD t: 'ftp://h/t' is neither param:NAME "
	    "nor an http or https URL");
	refused("t,param:", "UPLOAD t: 'param:' is neither param:NAME nor an "
	    "http or https URL");
	refused("t,http://", "UPLOAD t: 'http://' is neither param:NAME nor "
	    "an http or https URL");
	refused("t,param:a;T,param:b", "UPLOAD: the table T is given twice");
	refused("t,\x01\x02", "UPLOAD t: '?" "?' is neither param:NAME nor an "
	    "http or https URL");
	for (int i = 0; i <= TAP_UPLOAD_MAX; i++) {
		snprintf(one, sizeof(one), "%st%d,param:t%d", i ? ";" : "", i,
		    i);
		strcat(many, one);
	}
	refused(many, "UPLOAD: more than 16 tables");
}

static void
test_resolve(void)
{
	static const char	 body[] =
	    "--b\r\nContent-Disposition: form-data; name=\"UPLOAD\"\r\n\r\n"
	    "t,param:t\r\n"
	    "--b\r\nContent-Disposition: form-data; name=\"t\"; "
	    "filename=\"t.xml\"\r\n\r\n<VOTABLE/>\r\n--b--\r\n";
	static const struct param_rule rule = { .name = "UPLOAD",
	    .type = PARAM_STRING };
	struct request		 req;
	struct params		 p;
	struct tap_uploads	 u;
	char			 why[256];

	req_post(&req, "/tap/sync", body);
	req.content_type = "multipart/form-data; boundary=b";
	CU_ASSERT_EQUAL_FATAL(params_parse(&p, &req, &rule, 1, 100),
	    PARAMS_OK);
	CU_ASSERT_EQUAL(parse(&u, params_get(&p, 0)->raw, why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(tap_upload_resolve(&u, &p, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(u.up[0].len, strlen("<VOTABLE/>"));
	CU_ASSERT_EQUAL(memcmp(u.up[0].data, "<VOTABLE/>", u.up[0].len), 0);
	/* A part the request does not have. */
	CU_ASSERT_EQUAL(parse(&u, "a,param:t;b,param:nope", why, sizeof(why)),
	    0);
	CU_ASSERT_EQUAL(tap_upload_resolve(&u, &p, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "UPLOAD b: the request has no part named "
	    "nope (send it as multipart/form-data)");
	/* Parts stored with a job: the first of a name is the one. */
	CU_ASSERT_EQUAL(parse(&u, "a,param:x", why, sizeof(why)), 0);
	tap_upload_attach(&u, "y", "1", 1);
	CU_ASSERT_EQUAL(tap_upload_check(&u, why, sizeof(why)), -1);
	tap_upload_attach(&u, "x", "22", 2);
	tap_upload_attach(&u, "x", "333", 3);
	CU_ASSERT_EQUAL(tap_upload_check(&u, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(u.up[0].len, 2);
	tap_uploads_free(&u);
	params_free(&p);
}

void
suite_upload(void)
{
	CU_pSuite	 s = CU_add_suite("upload", NULL, NULL);

	CU_add_test(s, "UPLOAD values", test_parse);
	CU_add_test(s, "UPLOAD values refused", test_refused);
	CU_add_test(s, "inline uploads find their parts", test_resolve);
}
