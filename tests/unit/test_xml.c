/* xmlw: escaping, forbidden characters, invalid UTF-8, balanced output. */
#include <string.h>

#include "helpers.h"
#include "xmlw.h"

static void
check_escape(const char *in, size_t len, int attr, const char *want)
{
	struct strbuf	 b = STRBUF_INIT;

	CU_ASSERT_EQUAL(xml_escape(&b, in, len, attr), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&b), want);
	strbuf_free(&b);
}

static void
test_markup(void)
{
	check_escape("a<b>&c\"d", 8, 0, "a&lt;b&gt;&amp;c\"d");
	check_escape("a<b>&c\"d", 8, 1, "a&lt;b&gt;&amp;c&quot;d");
	check_escape("x\ty\nz\r", 6, 0, "x\ty\nz\r");
	check_escape("x\ty\nz\r", 6, 1, "x&#9;y&#10;z&#13;");
	check_escape("http://h/p?a=1&b=2", 18, 0, "http://h/p?a=1&amp;b=2");
}

static void
test_forbidden(void)
{
	/* C0 controls are dropped: XML 1.0 forbids them even as references. */
	check_escape("a\x01" "b\x1f" "c\x0b" "d", 7, 0, "abcd");
	check_escape("nul\0x", 5, 0, "nulx");
	/* U+FFFE and U+FFFF are not characters. */
	check_escape("\xef\xbf\xbe", 3, 0, "\xef\xbf\xbd");
	check_escape("\xef\xbf\xbf", 3, 0, "\xef\xbf\xbd");
}

static void
test_utf8(void)
{
	check_escape("caf\xc3\xa9", 5, 0, "caf\xc3\xa9");
	check_escape("\xe2\x82\xac \xf0\x9f\x94\xad", 8, 0,
	    "\xe2\x82\xac \xf0\x9f\x94\xad");
	/* Latin-1 bytes, a lone continuation, truncation, overlong, surrogate. */
	check_escape("caf\xe9", 4, 0, "caf\xef\xbf\xbd");
	check_escape("\x80", 1, 0, "\xef\xbf\xbd");
	check_escape("\xe2\x82", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xc0\xaf", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xed\xa0\x80", 3, 0,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	check_escape("\xf4\x90\x80\x80", 4, 0,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_writer(void)
{
	struct captured	 c;
	struct xmlw	 w;

	cap_init(&c);
	xmlw_init(&w, &c.resp);
	xmlw_open(&w, "A", "x", "1&2", "skipped", NULL, "y", "\"q\"", NULL);
	xmlw_elem(&w, "B", "t<", NULL);
	xmlw_empty(&w, "C", "z", "", NULL);
	xmlw_open(&w, "D", NULL);
	xmlw_text(&w, "\x01" "ok");
	xmlw_close_all(&w);
	CU_ASSERT_STRING_EQUAL(cap_body(&c),
	    "<A x=\"1&amp;2\" y=\"&quot;q&quot;\"><B>t&lt;</B><C z=\"\"/>"
	    "<D>ok</D>\n</A>\n");
	CU_ASSERT_EQUAL(w.depth, 0);
	cap_free(&c);
}

static void
head(struct xmlw *w, const void *ctx)
{
	xmlw_open(w, "VOTABLE", "version", ctx, NULL);
	xmlw_open(w, "TABLE", NULL);
}

static void
test_snapshot(void)
{
	struct xmlw_snapshot	 snap;
	struct captured		 c;
	struct xmlw		 w;

	CU_ASSERT_EQUAL_FATAL(xmlw_record(&snap, head, "1.4"), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&snap.text),
	    "<VOTABLE version=\"1.4\"><TABLE>");
	/* Replayed twice: the same bytes, and the writer closes what it left. */
	for (int i = 0; i < 2; i++) {
		cap_init(&c);
		xmlw_init(&w, &c.resp);
		xmlw_replay(&w, &snap);
		xmlw_elem(&w, "TD", "x", NULL);
		xmlw_close_all(&w);
		CU_ASSERT_STRING_EQUAL(cap_body(&c), "<VOTABLE version=\"1.4\">"
		    "<TABLE><TD>x</TD></TABLE>\n</VOTABLE>\n");
		cap_free(&c);
	}
	xmlw_snapshot_free(&snap);
}

void
suite_xml(void)
{
	CU_pSuite	 s = CU_add_suite("xml", NULL, NULL);

	CU_add_test(s, "markup escaped in text and attributes", test_markup);
	CU_add_test(s, "characters XML forbids are dropped", test_forbidden);
	CU_add_test(s, "invalid UTF-8 becomes U+FFFD", test_utf8);
	CU_add_test(s, "writer balances and escapes", test_writer);
	CU_add_test(s, "snapshots: recorded once, replayed", test_snapshot);
}
