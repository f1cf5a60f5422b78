/* votable: number forms, cells, error documents, RESPONSEFORMAT aliases. */
#include <math.h>
#include <string.h>

#include "helpers.h"
#include "votable.h"

static void
test_doubles(void)
{
	char	 buf[32];

	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), NAN), "NaN");
	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), INFINITY), "+Inf");
	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), -INFINITY), "-Inf");
	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), 53.75308), "53.75308");
	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), 0.1 + 0.2),
	    "0.30000000000000004");
	CU_ASSERT_STRING_EQUAL(vot_format_double(buf, sizeof(buf), 1e-300), "1e-300");
	CU_ASSERT_STRING_EQUAL(vot_pg_double("Infinity"), "+Inf");
	CU_ASSERT_STRING_EQUAL(vot_pg_double("-Infinity"), "-Inf");
	CU_ASSERT_STRING_EQUAL(vot_pg_double("NaN"), "NaN");
	CU_ASSERT_STRING_EQUAL(vot_pg_double("-1.5e-07"), "-1.5e-07");
}

static void
test_cells(void)
{
	struct captured	 c;
	struct xmlw	 w;

	cap_init(&c);
	xmlw_init(&w, &c.resp);
	vot_tr_begin(&w);
	vot_td(&w, "a&b");
	vot_td(&w, NULL);
	vot_td(&w, "");
	vot_td_raw(&w, "42");
	vot_td_double(&w, NAN);
	vot_tr_end(&w);
	CU_ASSERT_STRING_EQUAL(cap_body(&c),
	    "<TR><TD>a&amp;b</TD><TD/><TD/><TD>42</TD><TD>NaN</TD></TR>\n");
	cap_free(&c);
}

static void
test_field(void)
{
	struct captured		 c;
	struct xmlw		 w;
	const struct vot_field	 f = { "s_ra", "double", NULL, "POS_EQ_RA_MAIN",
				    "deg", NULL, NULL, NULL, "sys", "RA <ICRS>",
				    NULL };
	const struct vot_field	 n = { "n", "long", NULL, "meta.number", NULL,
				    NULL, NULL, NULL, NULL, NULL, "-1" };

	cap_init(&c);
	xmlw_init(&w, &c.resp);
	vot_field(&w, &f);
	CU_ASSERT_STRING_EQUAL(cap_body(&c), "<FIELD name=\"s_ra\" "
	    "datatype=\"double\" ucd=\"POS_EQ_RA_MAIN\" unit=\"deg\" ref=\"sys\">"
	    "<DESCRIPTION>RA &lt;ICRS&gt;</DESCRIPTION></FIELD>\n");
	cap_free(&c);

	cap_init(&c);
	xmlw_init(&w, &c.resp);
	vot_field(&w, &n);
	CU_ASSERT_STRING_EQUAL(cap_body(&c), "<FIELD name=\"n\" "
	    "datatype=\"long\" ucd=\"meta.number\"><VALUES null=\"-1\"/>"
	    "</FIELD>\n");
	cap_free(&c);
}

static void
test_error_docs(void)
{
	struct captured	 c;

	cap_init(&c);
	vot_error(&c.resp, 200, "text/xml", "DEC: 91 is out of range <x>", 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&c.out), "Status: 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "<VOTABLE version=\"1.4\" "
	    "xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "<INFO name=\"Error\" "
	    "value=\"DEC: 91 is out of range &lt;x&gt;\"></INFO>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "<RESOURCE type=\"results\">"
	    "\n<INFO name=\"QUERY_STATUS\" value=\"ERROR\">DEC: 91 is out of "
	    "range &lt;x&gt;</INFO>"));
	cap_free(&c);

	/* The DALI form has no Error INFO, and carries its status. */
	cap_init(&c);
	vot_error(&c.resp, 503, VOT_MIME, "down", 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&c.out),
	    "Status: 503 Service Unavailable\r\nContent-Type: "
	    "application/x-votable+xml\r\n"));
	CU_ASSERT_PTR_NULL(strstr(cap_body(&c), "name=\"Error\""));
	cap_free(&c);
}

/* RESPONSEFORMAT F to a service answering in OWN gives Content-Type WANT. */
static void
format_gives(const char *f, const char *own, const char *want)
{
	const char	*got = vot_format_type(f, own);

	if (want == NULL) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, want);
	}
}

static void
test_formats(void)
{
	const char	*links = VOT_MIME ";content=datalink",
			*scs = "text/xml;charset=UTF-8";

	format_gives(NULL, links, links);
	format_gives("", links, links);
	format_gives("votable", links, links);
	format_gives("VOTable", scs, scs);
	format_gives("votable/td", links, links);
	format_gives(VOT_MIME, links, links);
	format_gives(VOT_MIME, scs, VOT_MIME);
	format_gives(VOT_MIME ";content=datalink", links, links);
	format_gives("Application/X-VOTable+XML; serialization=TABLEDATA", links,
	    links);
	format_gives("text/xml", links, "text/xml;charset=UTF-8");
	format_gives("text/xml", scs, scs);
	format_gives("text/xml;charset=utf-8", scs, scs);
	/* What this service does not produce, and what it would mislabel. */
	format_gives(VOT_MIME ";serialization=binary2", links, NULL);
	format_gives("text/xml;charset=UTF-16", scs, NULL);
	format_gives(VOT_MIME ";content=datalink", scs, NULL);
	format_gives(VOT_MIME ";x=y", links, NULL);
	format_gives(VOT_MIME ";charset", links, NULL);
	format_gives("votable;charset=UTF-8", links, NULL);
	format_gives("text/csv", links, NULL);
	format_gives("fits", links, NULL);
	format_gives("votablex", links, NULL);
}

static void
test_header_safety(void)
{
	struct captured	 c;

	cap_init(&c);
	resp_content_type(&c.resp, "text/xml\r\nSet-Cookie: x=1");
	CU_ASSERT_EQUAL(resp_header(&c.resp, "X-A", "1\r\nX-B: 2"), -1);
	CU_ASSERT_EQUAL(resp_header(&c.resp, "X-A", "1"), 0);
	resp_finish(&c.resp);
	CU_ASSERT_PTR_NULL(strstr(strbuf_str(&c.out), "Set-Cookie"));
	CU_ASSERT_PTR_NULL(strstr(strbuf_str(&c.out), "X-B"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&c.out), "X-A: 1\r\n"));
	cap_free(&c);
}

void
suite_votable(void)
{
	CU_pSuite	 s = CU_add_suite("votable", NULL, NULL);

	CU_add_test(s, "doubles: shortest exact form, NaN, +Inf, -Inf", test_doubles);
	CU_add_test(s, "cells: escaped text, nulls as <TD/>", test_cells);
	CU_add_test(s, "FIELD attributes and description", test_field);
	CU_add_test(s, "SCS and DALI error documents", test_error_docs);
	CU_add_test(s, "RESPONSEFORMAT aliases", test_formats);
	CU_add_test(s, "no header injection through values", test_header_safety);
}
