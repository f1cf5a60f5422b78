/*
 * upload_vot: uploaded VOTables into COPY lines: one mixed table in
 * TABLEDATA, BINARY and BINARY2 giving the same lines, the tables taplint
 * and astropy upload, text escapes, UCS-2, the callback's refusal, and
 * every refusal with its sentence.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "helpers.h"
#include "upload_vot.h"

#define HEAD	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
		"<VOTABLE version=\"1.4\" " \
		"xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\">\n" \
		"<RESOURCE type=\"results\"><TABLE>\n"
#define TAIL	"</TABLE></RESOURCE></VOTABLE>\n"
/* A table of FIELDS (XML) and its rows in TABLEDATA (TRs). */
#define TD(fields, trs)	HEAD fields "<DATA><TABLEDATA>" trs \
			"</TABLEDATA></DATA>" TAIL

struct lines {
	struct strbuf	 all;	/* every line, one after the other */
	int		 calls;
	int		 stop_at;	/* refuse this call (from 1); 0: none */
	char		*why;		/* the reader's, for a reason */
};

static int
collect(void *ctx, const char *line, size_t len)
{
	struct lines	*l = ctx;

	CU_ASSERT(len > 0 && line[len - 1] == '\n' && line[len] == '\0');
	if (++l->calls == l->stop_at) {
		if (l->why != NULL)
			strcpy(l->why, "The database is full.");
		return -1;
	}
	return strbuf_add(&l->all, line, len);
}

static char	 why[512];

/* Read DOC[LEN] with LIM into T; the lines into L (reset first). */
static int
read_doc(const char *doc, size_t len, const struct upload_limits *lim,
    struct upload_table *t, struct lines *l)
{
	strbuf_reset(&l->all);
	l->calls = 0;
	return upload_vot_read(doc, len, lim, t, collect, l, why, sizeof(why));
}

/* DOC is read, its lines WANT. */
static void
lines_are(const char *doc, size_t len, const char *want)
{
	struct upload_table	 t;
	struct lines		 l = { STRBUF_INIT, 0, 0, NULL };

	CU_ASSERT_EQUAL(read_doc(doc, len, NULL, &t, &l), 0);
	CU_ASSERT_STRING_EQUAL(why, "");
	CU_ASSERT_STRING_EQUAL(strbuf_str(&l.all), want);
	if (strcmp(strbuf_str(&l.all), want) != 0)
		fprintf(stderr, "\ngot:  [%s]\nwant: [%s]\n",
		    strbuf_str(&l.all), want);
	upload_table_free(&t);
	strbuf_free(&l.all);
}
#define LINES(doc, want)	lines_are(doc, strlen(doc), want)

/* DOC is refused with the sentence WANT, under LIM, T left empty. */
static void
refused_lim(const char *doc, size_t len, const struct upload_limits *lim,
    const char *want)
{
	struct upload_table	 t;
	struct lines		 l = { STRBUF_INIT, 0, 0, NULL };

	CU_ASSERT_EQUAL(read_doc(doc, len, lim, &t, &l), -1);
	CU_ASSERT_STRING_EQUAL(why, want);
	if (strcmp(why, want) != 0)
		fprintf(stderr, "\ngot:  [%s]\nwant: [%s]\n", why, want);
	CU_ASSERT(t.ncols == 0 && t.cols == NULL && t.nrows == 0);
	upload_table_free(&t);
	strbuf_free(&l.all);
}
#define REFUSED(doc, want)	refused_lim(doc, strlen(doc), NULL, want)

/* --- Building binary streams ---------------------------------------------- */

static void
be(struct strbuf *b, uint64_t v, int n)
{
	unsigned char	 c[8];

	for (int i = 0; i < n; i++)
		c[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	strbuf_add(b, c, (size_t)n);
}

static void
f32(struct strbuf *b, float f)
{
	union { float f; uint32_t u; } v = { .f = f };

	be(b, v.u, 4);
}

static void
f64(struct strbuf *b, double d)
{
	union { double d; uint64_t u; } v = { .d = d };

	be(b, v.u, 8);
}

/* A variable char array: its count, then its bytes. */
static void
vstr(struct strbuf *b, const char *s)
{
	be(b, strlen(s), 4);
	strbuf_puts(b, s);
}

/* A variable unicodeChar array of N UCS-2 units. */
static void
vucs(struct strbuf *b, const uint16_t *u, int n)
{
	be(b, (uint64_t)n, 4);
	for (int i = 0; i < n; i++)
		be(b, u[i], 2);
}

/*
 * The document of FIELDS with the bytes BIN as a STREAM of SERIAL
 * (BINARY or BINARY2), in base64 broken into lines as writers do.
 */
static void
binary_doc(struct strbuf *doc, const char *fields, const char *serial,
    const struct strbuf *bin)
{
	struct strbuf	 text = STRBUF_INIT;

	strbuf_reset(doc);
	b64_encode(&text, bin->s, bin->len);
	strbuf_printf(doc, HEAD "%s<DATA><%s>\n<STREAM encoding=\"base64\">\n",
	    fields, serial);
	for (size_t at = 0; at < text.len; at += 76)
		strbuf_printf(doc, "%.*s\n", (int)(text.len - at < 76 ?
		    text.len - at : 76), text.s + at);
	strbuf_printf(doc, "</STREAM>\n</%s></DATA>" TAIL, serial);
	strbuf_free(&text);
}

/* --- One table of every type, three ways ---------------------------------- */

#define MIXED_FIELDS \
	"<FIELD name=\"b\" datatype=\"boolean\"/>\n" \
	"<FIELD name=\"bt\" datatype=\"bit\"/>\n" \
	"<FIELD name=\"ub\" datatype=\"unsignedByte\">" \
	    "<VALUES null=\"255\"/></FIELD>\n" \
	"<FIELD name=\"s\" datatype=\"short\">" \
	    "<DESCRIPTION>a short</DESCRIPTION>" \
	    "<VALUES null=\"-32768\"><MIN value=\"0\"/></VALUES></FIELD>\n" \
	"<FIELD name=\"i\" datatype=\"int\" unit=\"m\" ucd=\"pos.x\" " \
	    "utype=\"x:i\"><VALUES null=\"-2147483648\"/></FIELD>\n" \
	"<FIELD name=\"l\" datatype=\"long\">" \
	    "<VALUES null=\"-9223372036854775808\"/></FIELD>\n" \
	"<PARAM name=\"p\" datatype=\"int\" value=\"1\"/>\n" \
	"<FIELD name=\"f\" datatype=\"float\"/>\n" \
	"<FIELD name=\"d\" datatype=\"double\"/>\n" \
	"<GROUP name=\"g\"><FIELDref ref=\"d\"/></GROUP>\n" \
	"<FIELD name=\"c\" datatype=\"char\" arraysize=\"*\"/>\n" \
	"<FIELD name=\"u\" datatype=\"unicodeChar\" arraysize=\"*\"/>\n" \
	"<FIELD name=\"fa\" datatype=\"double\" arraysize=\"2\"/>\n" \
	"<FIELD name=\"ia\" datatype=\"int\" arraysize=\"*\"/>\n" \
	"<FIELD name=\"ts\" datatype=\"char\" arraysize=\"*\" " \
	    "xtype=\"timestamp\"/>\n"
#define NMIXED	13

static const char mixed_lines[] =
	"t\tt\t254\t-32767\t2147483647\t-9223372036854775807\t1.5\t-0.00225"
	    "\ttab\\there\t\xc3\xa9\t{1,2}\t{3,4,5}\t2020-01-02T03:04:05.5\n"
	"\\N\tf\t\\N\t\\N\t\\N\t\\N\tNaN\tNaN\t\\N\t\\N\t{NaN,NaN}\t{}\t\\N\n"
	"f\tt\t0\t16\t2147483647\t42\t-Infinity\tInfinity"
	    "\tback\\\\slash\\nnew\\rcr\\ttab\t\xe6\x97\xa5\xe6\x9c\xac"
	    "\xf0\x9f\x98\x80\t{1e+300,-0.5}\t{-1}\t1999-12-31\n";

static const char mixed_td[] = TD(MIXED_FIELDS,
	"<TR><TD>T</TD><TD>1</TD><TD>254</TD><TD> -32767 </TD>"
	    "<TD>2147483647</TD><TD>-9223372036854775807</TD><TD>1.5</TD>"
	    "<TD>-2.25e-3</TD><TD>tab\there</TD><TD>&#xe9;</TD>"
	    "<TD>1 2</TD><TD>\n 3 4\t5 </TD>"
	    "<TD>2020-01-02T03:04:05.5Z</TD></TR>\n"
	"<TR><TD>?</TD><TD>0</TD><TD/><TD></TD><TD/><TD/><TD>NaN</TD>"
	    "<TD>nan</TD><TD/><TD/><TD>NaN NaN</TD><TD> </TD><TD/></TR>\n"
	"<TR><TD>false</TD><TD>1</TD><TD>0</TD><TD>0x10</TD>"
	    "<TD>0x7fffffff</TD><TD>+42</TD><TD>-inf</TD><TD>Infinity</TD>"
	    "<TD><![CDATA[back\\slash]]>\nnew&#13;cr&#9;tab</TD>"
	    "<TD>\xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x98\x80</TD>"
	    "<TD>1e300 -0.5</TD><TD>-1</TD><TD>1999-12-31</TD></TR>\n");

/* The three rows in binary; B2: with null flags, for row 2's nulls. */
static void
mixed_bin(struct strbuf *b, int b2)
{
	static const uint16_t	 e_acute[] = { 0xe9 },
				 nihon[] = { 0x65e5, 0x672c, 0xd83d, 0xde00 };

	strbuf_reset(b);
	/* Row 1 */
	if (b2)
		be(b, 0, 2);
	strbuf_puts(b, "T");
	be(b, 0x80, 1);
	be(b, 254, 1);
	be(b, (uint16_t)-32767, 2);
	be(b, 0x7fffffff, 4);
	be(b, (uint64_t)-9223372036854775807LL, 8);
	f32(b, 1.5f);
	f64(b, -2.25e-3);
	vstr(b, "tab\there");
	vucs(b, e_acute, 1);
	f64(b, 1);
	f64(b, 2);
	be(b, 3, 4), be(b, 3, 4), be(b, 4, 4), be(b, 5, 4);
	vstr(b, "2020-01-02T03:04:05.5Z");
	/* Row 2: nulls, as VALUES null in BINARY, as flags in BINARY2. */
	if (b2) {
		/* b, ub, s, i, l; c, u, ts: 1011 1100 | 1100 1000 */
		be(b, 0xbc, 1);
		be(b, 0xc8, 1);
		strbuf_puts(b, "F");		/* flagged: not read */
		be(b, 0, 1);
		be(b, 7, 1), be(b, 7, 2), be(b, 7, 4), be(b, 7, 8);
	} else {
		strbuf_puts(b, "?");
		be(b, 0, 1);
		be(b, 255, 1);
		be(b, 0x8000, 2);
		be(b, 0x80000000, 4);
		be(b, 0x8000000000000000, 8);
	}
	f32(b, NAN);
	f64(b, NAN);
	vstr(b, b2 ? "flagged" : "");
	vucs(b, e_acute, b2 ? 1 : 0);
	f64(b, NAN);
	f64(b, NAN);
	be(b, 0, 4);
	vstr(b, b2 ? "not a time, but flagged" : "");
	/* Row 3 */
	if (b2)
		be(b, 0, 2);
	strbuf_puts(b, "f");
	be(b, 0xff, 1);
	be(b, 0, 1);
	be(b, 16, 2);
	be(b, 0x7fffffff, 4);
	be(b, 42, 8);
	f32(b, -INFINITY);
	f64(b, INFINITY);
	vstr(b, "back\\slash\nnew\rcr\ttab");
	vucs(b, nihon, 4);
	f64(b, 1e300);
	f64(b, -0.5);
	be(b, 1, 4), be(b, (uint32_t)-1, 4);
	vstr(b, "1999-12-31");
}

static void
test_mixed_tabledata(void)
{
	struct upload_table	 t;
	struct lines		 l = { STRBUF_INIT, 0, 0, NULL };
	static const char *const sql[NMIXED] = {
		"boolean", "boolean", "smallint", "smallint", "integer",
		"bigint", "real", "double precision", "text", "text",
		"double precision[]", "integer[]", "timestamp"
	};

	LINES(mixed_td, mixed_lines);
	CU_ASSERT_EQUAL_FATAL(read_doc(mixed_td, strlen(mixed_td), NULL, &t,
	    &l), 0);
	CU_ASSERT_EQUAL(t.nrows, 3);
	CU_ASSERT_EQUAL(l.calls, 3);
	CU_ASSERT_EQUAL_FATAL(t.ncols, NMIXED);
	for (int k = 0; k < NMIXED; k++)
		CU_ASSERT_STRING_EQUAL(t.cols[k].sqltype, sql[k]);
	CU_ASSERT_STRING_EQUAL(t.cols[4].name, "i");
	CU_ASSERT_STRING_EQUAL(t.cols[4].datatype, "int");
	CU_ASSERT_PTR_NULL(t.cols[4].arraysize);
	CU_ASSERT_STRING_EQUAL(t.cols[4].unit, "m");
	CU_ASSERT_STRING_EQUAL(t.cols[4].ucd, "pos.x");
	CU_ASSERT_STRING_EQUAL(t.cols[4].utype, "x:i");
	CU_ASSERT_PTR_NULL(t.cols[4].xtype);
	CU_ASSERT_EQUAL(t.cols[4].kind, UP_INT);
	CU_ASSERT_STRING_EQUAL(t.cols[10].arraysize, "2");
	CU_ASSERT_STRING_EQUAL(t.cols[12].xtype, "timestamp");
	CU_ASSERT_EQUAL(t.cols[12].kind, UP_CHAR);
	CU_ASSERT_EQUAL(t.cols[9].kind, UP_UNICODE);
	upload_table_free(&t);
	CU_ASSERT(t.ncols == 0 && t.cols == NULL);
	upload_table_free(&t);		/* twice is harmless */
	strbuf_free(&l.all);
}

static void
test_mixed_binary(void)
{
	struct strbuf	 bin = STRBUF_INIT, doc = STRBUF_INIT;

	mixed_bin(&bin, 0);
	binary_doc(&doc, MIXED_FIELDS, "BINARY", &bin);
	lines_are(doc.s, doc.len, mixed_lines);
	mixed_bin(&bin, 1);
	binary_doc(&doc, MIXED_FIELDS, "BINARY2", &bin);
	lines_are(doc.s, doc.len, mixed_lines);
	strbuf_free(&bin);
	strbuf_free(&doc);
}

/* The stream's text cut into many DATA pieces by comments. */
static void
test_stream_pieces(void)
{
	struct strbuf	 bin = STRBUF_INIT, text = STRBUF_INIT,
			 doc = STRBUF_INIT;

	mixed_bin(&bin, 1);
	b64_encode(&text, bin.s, bin.len);
	strbuf_puts(&doc, HEAD MIXED_FIELDS "<DATA><BINARY2><STREAM "
	    "encoding=\"base64\">");
	for (size_t at = 0; at < text.len; at += 7)
		strbuf_printf(&doc, "%.*s<!-- %zu -->", (int)(text.len - at < 7 ?
		    text.len - at : 7), text.s + at, at);
	strbuf_puts(&doc, "</STREAM></BINARY2></DATA>" TAIL);
	lines_are(doc.s, doc.len, mixed_lines);
	strbuf_free(&bin);
	strbuf_free(&text);
	strbuf_free(&doc);
}

/* --- What clients upload -------------------------------------------------- */

#define TAPLINT_FIELDS(values) \
	"<FIELD name=\"d_short\" datatype=\"short\">" values("-32768") \
	    "</FIELD>\n" \
	"<FIELD name=\"d_int\" datatype=\"int\">" values("-2147483648") \
	    "</FIELD>\n" \
	"<FIELD name=\"d_long\" datatype=\"long\">" \
	    values("-9223372036854775808") "</FIELD>\n" \
	"<FIELD name=\"d_float\" datatype=\"float\"/>\n" \
	"<FIELD name=\"d_double\" datatype=\"double\"/>\n" \
	"<FIELD name=\"d_char\" datatype=\"char\"/>\n" \
	"<FIELD name=\"d_string\" datatype=\"char\" arraysize=\"2\"/>\n" \
	"<FIELD name=\"d_time\" datatype=\"char\" arraysize=\"*\" " \
	    "xtype=\"timestamp\"/>\n"
#define NO_VALUES(v)	""
#define NULL_VALUES(v)	"<VALUES null=\"" v "\"/>"
#define TAPLINT_ROWS	23

/* The lines of taplint's table; NAN: what its null floats give. */
static void
taplint_lines(struct strbuf *want, const char *nan)
{
	for (int ir = 0; ir < TAPLINT_ROWS; ir++) {
		if (ir < TAPLINT_ROWS - 1)
			strbuf_printf(want, "%d\t%d\t%d\t%g\t%g\t", ir, ir, ir,
			    1.125 * ir, 1.125 * ir);
		else
			strbuf_printf(want, "\\N\t\\N\t\\N\t%s\t%s\t", nan,
			    nan);
		strbuf_printf(want, "%c\t%d\t2000-01-%02dT12:00:%02d\n",
		    'A' + ir, ir, ir + 1, ir);
	}
}

static void
test_taplint(void)
{
	struct strbuf	 doc = STRBUF_INIT, want = STRBUF_INIT,
			 bin = STRBUF_INIT;
	char		 time[32];

	/* TABLEDATA: the last row's numbers empty. */
	strbuf_puts(&doc, HEAD TAPLINT_FIELDS(NO_VALUES)
	    "<DATA><TABLEDATA>\n");
	for (int ir = 0; ir < TAPLINT_ROWS; ir++) {
		strbuf_puts(&doc, "<TR>");
		if (ir < TAPLINT_ROWS - 1)
			strbuf_printf(&doc, "<TD>%d</TD><TD>%d</TD><TD>%d</TD>"
			    "<TD>%g</TD><TD>%g</TD>", ir, ir, ir, 1.125 * ir,
			    1.125 * ir);
		else
			strbuf_puts(&doc, "<TD/><TD/><TD/><TD/><TD/>");
		strbuf_printf(&doc, "<TD>%c</TD><TD>%d</TD>"
		    "<TD>2000-01-%02dT12:00:%02d</TD></TR>\n", 'A' + ir, ir,
		    ir + 1, ir);
	}
	strbuf_puts(&doc, "</TABLEDATA></DATA>" TAIL);
	taplint_lines(&want, "\\N");
	lines_are(doc.s, doc.len, want.s);
	/* BINARY: integers null by VALUES, floats by NaN. */
	for (int ir = 0; ir < TAPLINT_ROWS; ir++) {
		int	 last = ir == TAPLINT_ROWS - 1;

		be(&bin, last ? 0x8000 : (uint64_t)ir, 2);
		be(&bin, last ? 0x80000000 : (uint64_t)ir, 4);
		be(&bin, last ? 0x8000000000000000 : (uint64_t)ir, 8);
		f32(&bin, last ? NAN : 1.125f * (float)ir);
		f64(&bin, last ? NAN : 1.125 * ir);
		be(&bin, (uint64_t)('A' + ir), 1);
		snprintf(time, sizeof(time), "%d", ir);
		strbuf_add(&bin, time, 2);	/* "0\0" .. "22" */
		snprintf(time, sizeof(time), "2000-01-%02dT12:00:%02d",
		    ir + 1, ir);
		vstr(&bin, time);
	}
	binary_doc(&doc, TAPLINT_FIELDS(NULL_VALUES), "BINARY", &bin);
	strbuf_reset(&want);
	taplint_lines(&want, "NaN");
	lines_are(doc.s, doc.len, want.s);
	strbuf_free(&doc);
	strbuf_free(&want);
	strbuf_free(&bin);
}

/* As astropy 6 writes a table, with the namespace of VOTable 1.3. */
static const char astropy[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<!-- Produced with astropy.io.votable version 6.1.0\n"
	"     http://www.astropy.org/ -->\n"
	"<VOTABLE version=\"1.4\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	    "xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\" "
	    "xsi:noNamespaceSchemaLocation="
	    "\"http://www.ivoa.net/xml/VOTable/v1.3\">\n"
	" <RESOURCE type=\"results\">\n"
	"  <TABLE>\n"
	"   <FIELD ID=\"id\" datatype=\"long\" name=\"id\"/>\n"
	"   <FIELD ID=\"ra\" datatype=\"double\" name=\"ra\" unit=\"deg\"/>\n"
	"   <FIELD ID=\"flag\" datatype=\"boolean\" name=\"flag\"/>\n"
	"   <FIELD ID=\"name\" arraysize=\"*\" datatype=\"unicodeChar\" "
	    "name=\"name\"/>\n"
	"   <FIELD ID=\"mag\" datatype=\"float\" name=\"mag\"/>\n"
	"   <DATA>\n"
	"    <TABLEDATA>\n"
	"     <TR>\n"
	"      <TD>1</TD>\n"
	"      <TD>10.684708</TD>\n"
	"      <TD>T</TD>\n"
	"      <TD>M 31</TD>\n"
	"      <TD>3.44</TD>\n"
	"     </TR>\n"
	"     <TR>\n"
	"      <TD>2</TD>\n"
	"      <TD>-0.25</TD>\n"
	"      <TD>F</TD>\n"
	"      <TD/>\n"
	"      <TD>NaN</TD>\n"
	"     </TR>\n"
	"     <TR>\n"
	"      <TD>3</TD>\n"
	"      <TD>+InF</TD>\n"
	"      <TD/>\n"
	"      <TD>\xcf\x89 Cen</TD>\n"
	"      <TD>-InF</TD>\n"
	"     </TR>\n"
	"    </TABLEDATA>\n"
	"   </DATA>\n"
	"  </TABLE>\n"
	" </RESOURCE>\n"
	"</VOTABLE>\n";

static void
test_astropy(void)
{
	LINES(astropy, "1\t10.684708\tt\tM 31\t3.44\n"
	    "2\t-0.25\tf\t\\N\tNaN\n"
	    "3\tInfinity\t\\N\t\xcf\x89 Cen\t-Infinity\n");
}

/* Prefixes, nested RESOURCEs, the first TABLE only, 1.1's namespace. */
static void
test_structure(void)
{
	LINES("<v:VOTABLE xmlns:v=\"http://www.ivoa.net/xml/VOTable/v1.1\" "
	    "version=\"1.1\"><v:INFO name=\"QUERY_STATUS\" value=\"OK\"/>"
	    "<v:RESOURCE><v:RESOURCE><v:COOSYS ID=\"s\" system=\"ICRS\"/>"
	    "<v:TABLE><v:FIELD name=\"a\" datatype=\"int\"/><v:DATA>"
	    "<v:TABLEDATA><v:TR><v:TD>1</v:TD></v:TR></v:TABLEDATA>"
	    "</v:DATA><v:INFO name=\"x\" value=\"y\"/></v:TABLE>"
	    "<v:TABLE><v:FIELD name=\"b\" datatype=\"int\"/></v:TABLE>"
	    "</v:RESOURCE></v:RESOURCE></v:VOTABLE>", "1\n");
	/* Anything after the first table is not read, even broken XML. */
	LINES(HEAD "<FIELD name=\"a\" datatype=\"int\"/></TABLE>"
	    "<TABLE><FIELD name=\"a\" datatype=\"nonsense\"/></TABLE><x>",
	    "");
	/* A TABLE without DATA has no rows; INFO after DATA is ignored. */
	LINES(HEAD "<FIELD name=\"a\" datatype=\"int\"/>" TAIL, "");
	LINES(TD("<FIELD name=\"a\" datatype=\"int\"/>", ""), "");
	/* CR LF and CR are LF in XML; &#13; is a CR. */
	LINES(TD("<FIELD name=\"a\" datatype=\"char\" arraysize=\"*\"/>",
	    "<TR><TD>x\r\ny\rz&#13;</TD></TR>\r\n"), "x\\ny\\nz\\r\n");
	/* A byte order mark. */
	LINES("\xef\xbb\xbf" TD("<FIELD name=\"a\" datatype=\"int\"/>",
	    "<TR><TD>1</TD></TR>"), "1\n");
}

/* upload_vot_columns(): the FIELDs only, the rows not even read. */
static void
test_columns_only(void)
{
	struct upload_table	 t;
	const char		 doc[] = TD("<FIELD name=\"a\" datatype=\"int\"/>"
				    "<FIELD name=\"b\" datatype=\"char\"/>",
				    "<TR><TD>not a number</TD></TR>");

	CU_ASSERT_EQUAL(upload_vot_columns(doc, strlen(doc), NULL, &t, why,
	    sizeof(why)), 0);
	CU_ASSERT_EQUAL_FATAL(t.ncols, 2);
	CU_ASSERT_STRING_EQUAL(t.cols[1].name, "b");
	CU_ASSERT_STRING_EQUAL(t.cols[1].sqltype, "text");
	CU_ASSERT_EQUAL(t.nrows, 0);
	upload_table_free(&t);
	CU_ASSERT_EQUAL(upload_vot_columns("<VOTABLE/>", 10, NULL, &t, why,
	    sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "The VOTable has no TABLE in a RESOURCE.");
}

/* --- Values --------------------------------------------------------------- */

#define CHAR_FIELD	"<FIELD name=\"s\" datatype=\"char\" arraysize=\"*\"/>"

static void
test_text(void)
{
	/* COPY's escapes; NUL cannot come; other controls are XML's to
	 * refuse. */
	LINES(TD(CHAR_FIELD, "<TR><TD>a\tb\nc\\d&#13;e \\N</TD></TR>"),
	    "a\\tb\\nc\\\\d\\re \\\\N\n");
	/* Blanks are a char's own; an empty TD is NULL. */
	LINES(TD(CHAR_FIELD, "<TR><TD>  </TD></TR><TR><TD></TD></TR>"),
	    "  \n\\N\n");
	/* Entities and CDATA, mixed. */
	LINES(TD(CHAR_FIELD, "<TR><TD>&lt;&amp;&gt;&quot;&apos;"
	    "<![CDATA[<&>]]>&#x1F600;</TD></TR>"),
	    "<&>\"'<&>\xf0\x9f\x98\x80\n");
	/* A VALUES null for text. */
	LINES(TD("<FIELD name=\"s\" datatype=\"char\" arraysize=\"*\">"
	    "<VALUES null=\"N/A\"/></FIELD>",
	    "<TR><TD>N/A</TD></TR><TR><TD>N/A </TD></TR>"), "\\N\nN/A \n");
}

static void
test_ucs2(void)
{
	static const char fields[] =
	    "<FIELD name=\"u\" datatype=\"unicodeChar\" arraysize=\"4\"/>"
	    "<FIELD name=\"v\" datatype=\"unicodeChar\"/>";
	struct strbuf	 bin = STRBUF_INIT, doc = STRBUF_INIT;

	/*
	 * A, é, €, then U+0000 padding; U+10348 as a pair; U+0000 first:
	 * an empty string.
	 */
	be(&bin, 0x0041, 2), be(&bin, 0x00e9, 2), be(&bin, 0x20ac, 2);
	be(&bin, 0, 2);
	be(&bin, 0x00df, 2);
	be(&bin, 0xd800, 2), be(&bin, 0xdf48, 2), be(&bin, 0, 2);
	be(&bin, 0, 2);
	be(&bin, 0, 2);
	be(&bin, 0x0000, 2), be(&bin, 0x0041, 2), be(&bin, 0, 2);
	be(&bin, 0, 2);
	be(&bin, 0x3042, 2);
	binary_doc(&doc, fields, "BINARY", &bin);
	lines_are(doc.s, doc.len, "A\xc3\xa9\xe2\x82\xac\t\xc3\x9f\n"
	    "\xf0\x90\x8d\x88\t\\N\n"
	    "\\N\t\xe3\x81\x82\n");
	/* A high half at the end, a low one first, a high one alone. */
	strbuf_reset(&bin);
	be(&bin, 0x41, 2), be(&bin, 0x42, 2), be(&bin, 0x43, 2);
	be(&bin, 0xd800, 2), be(&bin, 0x41, 2);
	binary_doc(&doc, fields, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 1, column \"u\": the text has "
	    "an unpaired UTF-16 surrogate.");
	strbuf_reset(&bin);
	be(&bin, 0xdc00, 2), be(&bin, 0, 6), be(&bin, 0x41, 2);
	binary_doc(&doc, fields, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 1, column \"u\": the text has "
	    "an unpaired UTF-16 surrogate.");
	strbuf_reset(&bin);
	be(&bin, 0x41, 8), be(&bin, 0xd800, 2);
	binary_doc(&doc, fields, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 1, column \"v\": the text has "
	    "an unpaired UTF-16 surrogate.");
	strbuf_free(&bin);
	strbuf_free(&doc);
}

static void
test_numbers(void)
{
	/* Every integer's range, in decimal and hex. */
	LINES(TD("<FIELD name=\"a\" datatype=\"unsignedByte\"/>"
	    "<FIELD name=\"b\" datatype=\"short\"/>"
	    "<FIELD name=\"c\" datatype=\"int\"/>"
	    "<FIELD name=\"d\" datatype=\"long\"/>",
	    "<TR><TD>255</TD><TD>32767</TD><TD>-2147483648</TD>"
	    "<TD>9223372036854775807</TD></TR>"
	    "<TR><TD>0xff</TD><TD>-0x8000</TD><TD>0X7FFFFFFF</TD>"
	    "<TD>-9223372036854775808</TD></TR>"),
	    "255\t32767\t-2147483648\t9223372036854775807\n"
	    "255\t-32768\t2147483647\t-9223372036854775808\n");
	/* Floats the shortest way back; a float's own precision. */
	LINES(TD("<FIELD name=\"f\" datatype=\"float\"/>"
	    "<FIELD name=\"d\" datatype=\"double\"/>",
	    "<TR><TD>0.1</TD><TD>0.1</TD></TR>"
	    "<TR><TD>3.4028234e38</TD><TD>1.7976931348623157e308</TD></TR>"
	    "<TR><TD>1e-50</TD><TD>4.9e-324</TD></TR>"
	    "<TR><TD>+NaN</TD><TD>-Infinity</TD></TR>"
	    "<TR><TD>.5</TD><TD>-0</TD></TR>"
	    "<TR><TD>16777217</TD><TD>0.30000000000000004</TD></TR>"),
	    "0.1\t0.1\n"
	    "3.4028235e+38\t1.7976931348623157e+308\n"
	    "0\t4.94065645841247e-324\n"
	    "NaN\t-Infinity\n"
	    "0.5\t-0\n"
	    "16777216\t0.30000000000000004\n");
	/* A VALUES null of a double; NaN is no null but itself. */
	LINES(TD("<FIELD name=\"d\" datatype=\"double\"><VALUES "
	    "null=\"-999\"/></FIELD><FIELD name=\"e\" datatype=\"float\">"
	    "<VALUES null=\"NaN\"/></FIELD>",
	    "<TR><TD>-999.0</TD><TD>NaN</TD></TR>"),
	    "\\N\tNaN\n");
	/* Booleans, bits. */
	LINES(TD("<FIELD name=\"b\" datatype=\"boolean\"/>"
	    "<FIELD name=\"c\" datatype=\"bit\"/>",
	    "<TR><TD>TRUE</TD><TD>0</TD></TR><TR><TD>t</TD><TD/></TR>"
	    "<TR><TD>False</TD><TD> 1 </TD></TR><TR><TD>1</TD><TD>1</TD></TR>"
	    "<TR><TD>0</TD><TD>0</TD></TR><TR><TD> ? </TD><TD>1</TD></TR>"),
	    "t\tf\nt\t\\N\nf\tt\nt\tt\nf\tf\n\\N\tt\n");
}

static void
test_arrays(void)
{
#define ARRAY_FIELDS \
	"<FIELD name=\"a\" datatype=\"short\" arraysize=\"3\">" \
	    "<VALUES null=\"-1\"/></FIELD>" \
	"<FIELD name=\"b\" datatype=\"boolean\" arraysize=\"10*\"/>" \
	"<FIELD name=\"c\" datatype=\"float\" arraysize=\"1\"/>" \
	"<FIELD name=\"d\" datatype=\"unsignedByte\" arraysize=\"*\"/>" \
	"<FIELD name=\"e\" datatype=\"char\" arraysize=\"3\"/>"
	struct strbuf	 bin = STRBUF_INIT, doc = STRBUF_INIT;
	static const char fields[] = ARRAY_FIELDS;
	static const char want[] = "{1,NULL,3}\t{t,f,NULL}\t1.5\t{}\tabc\n";

	LINES(TD(ARRAY_FIELDS, "<TR><TD>1 -1 3</TD><TD>T F ?</TD><TD>1.5</TD>"
	    "<TD> </TD><TD>abc</TD></TR>"), want);
	be(&bin, 1, 2), be(&bin, 0xffff, 2), be(&bin, 3, 2);
	be(&bin, 3, 4), strbuf_puts(&bin, "TF?");
	f32(&bin, 1.5f);
	be(&bin, 0, 4);
	strbuf_puts(&bin, "abc");
	binary_doc(&doc, fields, "BINARY", &bin);
	lines_are(doc.s, doc.len, want);
	/* The other bytes of a boolean, a bit; fixed char padded by NULs. */
	strbuf_reset(&bin);
	be(&bin, 0, 2), be(&bin, 0, 2), be(&bin, 0, 2);
	be(&bin, 6, 4), strbuf_puts(&bin, "t1f0 ");
	be(&bin, 0, 1);
	f32(&bin, -2);
	be(&bin, 2, 4), be(&bin, 0xff, 1), be(&bin, 0, 1);
	strbuf_add(&bin, "a\0c", 3);
	binary_doc(&doc, fields, "BINARY", &bin);
	lines_are(doc.s, doc.len, "{0,0,0}\t{t,t,f,f,NULL,NULL}\t-2\t{255,0}"
	    "\ta\n");
	strbuf_reset(&bin);
	/* The high bit, as VOTable has it, or astropy's 0x08. */
	be(&bin, 0x08, 1), be(&bin, 0x80, 1), be(&bin, 0, 1);
	binary_doc(&doc, "<FIELD name=\"t\" datatype=\"bit\"/>", "BINARY",
	    &bin);
	lines_are(doc.s, doc.len, "t\nt\nf\n");
	/* A bit of arraysize 1 is one bit. */
	LINES(TD("<FIELD name=\"t\" datatype=\"bit\" arraysize=\"1\"/>",
	    "<TR><TD>1</TD></TR>"), "t\n");
	strbuf_free(&bin);
	strbuf_free(&doc);
}

static void
test_timestamps(void)
{
#define TS_FIELD	"<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" " \
			"xtype=\"timestamp\"/>"
	LINES(TD(TS_FIELD, "<TR><TD>2024-02-29</TD></TR>"
	    "<TR><TD> 2000-12-31T23:59:60Z </TD></TR>"
	    "<TR><TD>0001-01-01T00:00:00.000001</TD></TR><TR><TD/></TR>"
	    "<TR><TD>   </TD></TR>"),
	    "2024-02-29\n2000-12-31T23:59:60\n0001-01-01T00:00:00.000001\n"
	    "\\N\n\\N\n");
	/* TAP 1.0's name for it, on unicodeChar too. */
	LINES(TD("<FIELD name=\"t\" datatype=\"unicodeChar\" arraysize=\"*\" "
	    "xtype=\"adql:TIMESTAMP\"/>", "<TR><TD>2001-01-01T01:01:01</TD>"
	    "</TR>"), "2001-01-01T01:01:01\n");
}

/* The callback's -1: its own sentence, or the reader's. */
static void
test_callback_stops(void)
{
	struct upload_table	 t;
	struct lines		 l = { STRBUF_INIT, 0, 2, NULL };
	const char		 doc[] = TD("<FIELD name=\"a\" datatype=\"int\"/>",
				    "<TR><TD>1</TD></TR><TR><TD>2</TD></TR>"
				    "<TR><TD>3</TD></TR>");

	CU_ASSERT_EQUAL(upload_vot_read(doc, strlen(doc), NULL, &t, collect,
	    &l, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "Row 2 could not be stored.");
	CU_ASSERT_EQUAL(l.calls, 2);	/* and no third */
	CU_ASSERT_STRING_EQUAL(strbuf_str(&l.all), "1\n");
	CU_ASSERT(t.ncols == 0 && t.nrows == 0);
	l.calls = 0;
	l.why = why;
	strbuf_reset(&l.all);
	CU_ASSERT_EQUAL(upload_vot_read(doc, strlen(doc), NULL, &t, collect,
	    &l, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "The database is full.");
	strbuf_free(&l.all);
}

/* --- Refusals ------------------------------------------------------------- */

#define INT_FIELD	"<FIELD name=\"a\" datatype=\"int\"/>"

static void
test_refused_document(void)
{
	REFUSED("", "The upload is empty.");
	REFUSED("just text", "The upload is not a VOTable: it holds no XML "
	    "element.");
	REFUSED("<html><body/></html>", "The upload is not a VOTable: its "
	    "root element is <html>.");
	REFUSED("<VOTABLE/><VOTABLE/>", "The upload is not well-formed XML: "
	    "it has more than one root element.");
	REFUSED("<VOTABLE><RESOURCE><TABLE>" INT_FIELD "</RESOURCE>",
	    "The upload is not well-formed XML: Mismatched close tag "
	    "</RESOURCE> under parent <TABLE> on line 1.");
	REFUSED("<VOTABLE><RESOURCE><TABLE>" INT_FIELD,
	    "The upload is not well-formed XML: Missing close tag </TABLE> "
	    "under parent <RESOURCE> on line 1.");
	REFUSED("<VOTABLE>\n\x01</VOTABLE>", "The upload is not well-formed "
	    "XML: Bad control character 0x01 not allowed by XML standard.");
	REFUSED("<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" name=\"b\"/>",
	    "The upload is not well-formed XML: Duplicate attribute 'name' in "
	    "element FIELD on line 1.");
	refused_lim("<VOTABLE>\0</VOTABLE>", 20, NULL, "The upload is not "
	    "well-formed XML: Bad control character 0x00 not allowed by XML "
	    "standard.");
	REFUSED("<VOTABLE><TABLE>" INT_FIELD "</TABLE></VOTABLE>",
	    "The VOTable has no TABLE in a RESOURCE.");
	REFUSED("<VOTABLE><RESOURCE><INFO><TABLE>" INT_FIELD "</TABLE>"
	    "</INFO></RESOURCE></VOTABLE>",
	    "The VOTable has no TABLE in a RESOURCE.");
	REFUSED(HEAD "<PARAM name=\"a\" datatype=\"int\" value=\"1\"/>"
	    "<GROUP>" INT_FIELD "</GROUP><DATA/>" TAIL,
	    "The TABLE has no FIELD.");
	REFUSED(HEAD TAIL, "The TABLE has no FIELD.");
}

static void
test_refused_fields(void)
{
	char	 doc[2048], name[80];

	REFUSED(TD("<FIELD datatype=\"int\"/>", ""), "FIELD 1 has no name.");
	REFUSED(TD(INT_FIELD "<FIELD name=\"\" datatype=\"int\"/>", ""),
	    "FIELD 2 has no name.");
	memset(name, 'x', 64);
	name[64] = '\0';
	snprintf(doc, sizeof(doc), TD("<FIELD name=\"%s\" datatype=\"int\"/>",
	    ""), name);
	REFUSED(doc, "The name of FIELD 1, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxx...\", is longer than 63 bytes.");
	name[63] = '\0';
	snprintf(doc, sizeof(doc), TD("<FIELD name=\"%s\" datatype=\"int\"/>",
	    ""), name);
	LINES(doc, "");
	REFUSED(TD("<FIELD name=\"a&#9;b\" datatype=\"int\"/>", ""),
	    "The name of FIELD 1, \"a?b\", holds a control character.");
	REFUSED(TD("<FIELD name=\"a&#xD800;\" datatype=\"int\"/>", ""),
	    "The name of FIELD 1, \"a???\", is not UTF-8.");
	REFUSED(TD("<FIELD name=\"RA\" datatype=\"int\"/>"
	    "<FIELD name=\"dec\" datatype=\"int\"/>"
	    "<FIELD name=\"ra\" datatype=\"int\"/>", ""),
	    "FIELDs 1 and 3 are both named \"ra\", ignoring case.");
	REFUSED(TD("<FIELD name=\"a\"/>", ""), "Column \"a\" has no datatype.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"integer\"/>", ""),
	    "Column \"a\" has the datatype \"integer\", which VOTable does not "
	    "define.");
	REFUSED(TD("<FIELD name=\"z\" datatype=\"doubleComplex\"/>", ""),
	    "Column \"z\" is of datatype doubleComplex, which uploads do not "
	    "support.");
	REFUSED(TD("<FIELD name=\"z\" datatype=\"floatComplex\" "
	    "arraysize=\"*\"/>", ""), "Column \"z\" is of datatype "
	    "floatComplex, which uploads do not support.");
	REFUSED(TD("<FIELD name=\"f\" datatype=\"bit\" arraysize=\"8\"/>", ""),
	    "Column \"f\" is an array of bits, which uploads do not support.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"double\" arraysize=\"2x3\"/>",
	    ""), "Column \"m\" has the arraysize \"2x3\": uploads take arrays "
	    "of one dimension only.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"char\" arraysize=\"8x*\"/>",
	    ""), "Column \"m\" has the arraysize \"8x*\": uploads take arrays "
	    "of one dimension only.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"int\" arraysize=\"0\"/>", ""),
	    "Column \"m\" has the arraysize \"0\", which is not one of "
	    "VOTable's.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"int\" arraysize=\"2*3\"/>",
	    ""), "Column \"m\" has the arraysize \"2*3\", which is not one of "
	    "VOTable's.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"int\"><VALUES "
	    "null=\"none\"/></FIELD>", ""), "Column \"m\" declares the null "
	    "value \"none\", which is not an int.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"short\"><VALUES "
	    "null=\"-2147483648\"/></FIELD>", ""), "Column \"m\" declares the "
	    "null value \"-2147483648\", which is not a short.");
	REFUSED(TD("<FIELD name=\"m\" datatype=\"int\" unit=\"&#xD800;\"/>",
	    ""), "The unit of column \"m\" is not UTF-8.");
}

static void
test_refused_limits(void)
{
	struct upload_limits	 lim = { .max_rows = 2, .max_cols = 2,
				    .max_cell = 8 };
	struct upload_table	 t;
	struct lines		 l = { STRBUF_INIT, 0, 0, NULL };
	struct strbuf		 bin = STRBUF_INIT, bdoc = STRBUF_INIT;
	const char		*doc;

	/* Up to the limits is fine. */
	doc = TD(INT_FIELD "<FIELD name=\"b\" datatype=\"char\" "
	    "arraysize=\"*\"/>", "<TR><TD>1</TD><TD>12345678</TD></TR>"
	    "<TR><TD>2</TD><TD/></TR>");
	CU_ASSERT_EQUAL(read_doc(doc, strlen(doc), &lim, &t, &l), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&l.all), "1\t12345678\n2\t\\N\n");
	upload_table_free(&t);
	strbuf_free(&l.all);
	doc = TD(INT_FIELD, "<TR><TD>1</TD></TR><TR><TD>2</TD></TR>"
	    "<TR><TD>3</TD></TR>");
	refused_lim(doc, strlen(doc), &lim, "The upload has more than 2 rows.");
	doc = TD(INT_FIELD "<FIELD name=\"b\" datatype=\"int\"/>"
	    "<FIELD name=\"c\" datatype=\"int\"/>", "");
	refused_lim(doc, strlen(doc), &lim, "The TABLE has more than 2 "
	    "FIELDs.");
	doc = TD(CHAR_FIELD, "<TR><TD>12345678</TD></TR>"
	    "<TR><TD>123456789</TD></TR>");
	refused_lim(doc, strlen(doc), &lim, "Row 2, column \"s\": the value is "
	    "longer than 8 bytes.");
	/* The TD's text counts, blanks too; and an array's text. */
	doc = TD(INT_FIELD, "<TR><TD>   1     </TD></TR>");
	refused_lim(doc, strlen(doc), &lim, "Row 1, column \"a\": the value is "
	    "longer than 8 bytes.");
	doc = TD("<FIELD name=\"v\" datatype=\"int\" arraysize=\"*\"/>",
	    "<TR><TD>1 2 3</TD></TR><TR><TD>1 2 3 4</TD></TR>");
	refused_lim(doc, strlen(doc), &lim, "Row 2, column \"v\": the value is "
	    "longer than 8 bytes.");
	/* In binary, the text the COPY line gives, whatever the bytes. */
	be(&bin, 0, 1);
	be(&bin, 3, 4), be(&bin, 1, 4), be(&bin, 2, 4), be(&bin, 3, 4);
	vstr(&bin, "12345678");
	be(&bin, 0, 1);
	be(&bin, 4, 4), be(&bin, 1, 4), be(&bin, 2, 4), be(&bin, 3, 4);
	be(&bin, 4, 4), vstr(&bin, "");
	binary_doc(&bdoc, "<FIELD name=\"v\" datatype=\"int\" arraysize=\"*\"/>"
	    CHAR_FIELD, "BINARY2", &bin);
	refused_lim(bdoc.s, bdoc.len, &lim, "Row 2, column \"v\": the value is "
	    "longer than 8 bytes.");
	strbuf_reset(&bin);
	vstr(&bin, "123456789");
	binary_doc(&bdoc, CHAR_FIELD, "BINARY", &bin);
	refused_lim(bdoc.s, bdoc.len, &lim, "Row 1, column \"s\": the value is "
	    "longer than 8 bytes.");
	strbuf_free(&bin);
	strbuf_free(&bdoc);
}

static void
test_refused_rows(void)
{
	REFUSED(TD(INT_FIELD "<FIELD name=\"b\" datatype=\"int\"/>",
	    "<TR><TD>1</TD><TD>2</TD></TR><TR><TD>1</TD></TR>"),
	    "Row 2 has 1 TD for 2 FIELDs.");
	REFUSED(TD(INT_FIELD, "<TR><TD>1</TD><TD>2</TD><TD>3</TD></TR>"),
	    "Row 1 has 3 TDs for 1 FIELD.");
	REFUSED(TD(INT_FIELD, "<TR></TR>"), "Row 1 has 0 TDs for 1 FIELD.");
	REFUSED(TD(INT_FIELD, "<TR><TD><b>1</b></TD></TR>"),
	    "Row 1 holds a <b> element inside a TD, which VOTable does not "
	    "allow.");
	REFUSED(TD(INT_FIELD, "<TR><TD>1</TD></TR><TR><TH>1</TH></TR>"),
	    "Row 2 holds a <TH> element, where VOTable allows only TD.");
	REFUSED(TD(INT_FIELD, "<INFO/>"), "The TABLEDATA holds a <INFO> "
	    "element, where VOTable allows only TR.");
}

static void
test_refused_values(void)
{
	REFUSED(TD(INT_FIELD, "<TR><TD>1</TD></TR><TR><TD>1.5</TD></TR>"),
	    "Row 2, column \"a\": \"1.5\" is not an int.");
	REFUSED(TD(INT_FIELD, "<TR><TD>1 2</TD></TR>"),
	    "Row 1, column \"a\": \"1 2\" is not an int.");
	REFUSED(TD(INT_FIELD, "<TR><TD>0x</TD></TR>"),
	    "Row 1, column \"a\": \"0x\" is not an int.");
	REFUSED(TD(INT_FIELD, "<TR><TD>2147483648</TD></TR>"),
	    "Row 1, column \"a\": 2147483648 is out of range for an int.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"long\"/>",
	    "<TR><TD>99999999999999999999</TD></TR>"),
	    "Row 1, column \"a\": 99999999999999999999 is out of range for a "
	    "long.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"unsignedByte\"/>",
	    "<TR><TD>-1</TD></TR>"),
	    "Row 1, column \"a\": -1 is out of range for an unsignedByte.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"float\"/>",
	    "<TR><TD>1e39</TD></TR>"),
	    "Row 1, column \"a\": 1e39 is out of range for a float.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"double\"/>",
	    "<TR><TD>1e999</TD></TR>"),
	    "Row 1, column \"a\": 1e999 is out of range for a double.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"double\"/>",
	    "<TR><TD>0x1p3</TD></TR>"),
	    "Row 1, column \"a\": \"0x1p3\" is not a double.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"double\"/>",
	    "<TR><TD>nan(1)</TD></TR>"),
	    "Row 1, column \"a\": \"nan(1)\" is not a double.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"boolean\"/>",
	    "<TR><TD>yes</TD></TR>"),
	    "Row 1, column \"a\": \"yes\" is not a boolean.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"bit\"/>",
	    "<TR><TD>2</TD></TR>"), "Row 1, column \"a\": \"2\" is not a bit.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"double\" arraysize=\"2\"/>",
	    "<TR><TD>1 2 3</TD></TR>"),
	    "Row 1, column \"a\": 3 values for the arraysize 2.");
	REFUSED(TD("<FIELD name=\"a\" datatype=\"double\" arraysize=\"*\"/>",
	    "<TR><TD>1 x</TD></TR>"),
	    "Row 1, column \"a\": \"x\" is not a double.");
	REFUSED(TD("<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" "
	    "xtype=\"timestamp\"/>", "<TR><TD>2023-02-29</TD></TR>"),
	    "Row 1, column \"t\": \"2023-02-29\" is not an ISO 8601 timestamp "
	    "(YYYY-MM-DDThh:mm:ss).");
	REFUSED(TD("<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" "
	    "xtype=\"timestamp\"/>", "<TR><TD>2023-01-01 12:00:00</TD></TR>"),
	    "Row 1, column \"t\": \"2023-01-01 12:00:00\" is not an ISO 8601 "
	    "timestamp (YYYY-MM-DDThh:mm:ss).");
	REFUSED(TD("<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" "
	    "xtype=\"timestamp\"/>", "<TR><TD>2023-01-01T24:00:00</TD></TR>"),
	    "Row 1, column \"t\": \"2023-01-01T24:00:00\" is not an ISO 8601 "
	    "timestamp (YYYY-MM-DDThh:mm:ss).");
	REFUSED(TD("<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" "
	    "xtype=\"timestamp\"/>", "<TR><TD>0000-01-01</TD></TR>"),
	    "Row 1, column \"t\": \"0000-01-01\" is not an ISO 8601 timestamp "
	    "(YYYY-MM-DDThh:mm:ss).");
	REFUSED(TD("<FIELD name=\"t\" datatype=\"char\" arraysize=\"*\" "
	    "xtype=\"timestamp\"/>", "<TR><TD>2023-01-01T12:00:00.</TD></TR>"),
	    "Row 1, column \"t\": \"2023-01-01T12:00:00.\" is not an ISO 8601 "
	    "timestamp (YYYY-MM-DDThh:mm:ss).");
	/* An excerpt of 40 bytes, with the controls replaced. */
	REFUSED(TD(INT_FIELD, "<TR><TD>\tab\ncdefghijklmnopqrstuvwxyz0123456789"
	    "ABCDEF</TD></TR>"), "Row 1, column \"a\": \"ab?cdefghijklmnopqrstu"
	    "vwxyz0123456789ABC...\" is not an int.");
	/* Not UTF-8 (through a numeric character reference). */
	REFUSED(TD(CHAR_FIELD, "<TR><TD>&#xDFFF;</TD></TR>"),
	    "Row 1, column \"s\": the text is not UTF-8.");
}

static void
test_refused_binary(void)
{
	struct strbuf	 bin = STRBUF_INIT, doc = STRBUF_INIT;

	REFUSED(HEAD INT_FIELD "<DATA><FITS><STREAM href=\"x.fits\"/></FITS>"
	    "</DATA>" TAIL, "FITS data is not supported in uploads: use "
	    "TABLEDATA, BINARY or BINARY2.");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY><STREAM "
	    "href=\"http://example.org/t.bin\"/></BINARY></DATA>" TAIL,
	    "Streams given by href are not supported in uploads: send the data "
	    "inline, in base64.");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY2><STREAM>AAAAAQ==</STREAM>"
	    "</BINARY2></DATA>" TAIL, "The STREAM has no encoding: uploads "
	    "need encoding=\"base64\".");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY><STREAM encoding=\"gzip\">"
	    "AAAAAQ==</STREAM></BINARY></DATA>" TAIL, "The STREAM encoding "
	    "\"gzip\" is not supported in uploads: use base64.");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY></BINARY></DATA>" TAIL,
	    "The BINARY element has no STREAM.");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY><STREAM encoding=\"base64\">"
	    "AAAA*AQ==</STREAM></BINARY></DATA>" TAIL,
	    "The BINARY stream is not valid base64.");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY2><STREAM encoding=\"base64\">"
	    "AAAAAAE</STREAM></BINARY2></DATA>" TAIL,
	    "The BINARY2 stream is not valid base64.");
	/* 4 bytes a row: 6 are a row and half of one. */
	LINES(HEAD INT_FIELD "<DATA><BINARY><STREAM encoding=\"base64\">"
	    "AAAAAQAAAAI=</STREAM></BINARY></DATA>" TAIL, "1\n2\n");
	REFUSED(HEAD INT_FIELD "<DATA><BINARY><STREAM encoding=\"base64\">"
	    "AAAAAQAA</STREAM></BINARY></DATA>" TAIL,
	    "The BINARY stream ends inside row 2.");
	/* BINARY2: the flags and no more. */
	REFUSED(HEAD INT_FIELD "<DATA><BINARY2><STREAM encoding=\"base64\">"
	    "AAAAAAGA</STREAM></BINARY2></DATA>" TAIL,
	    "The BINARY2 stream ends inside row 2.");
	be(&bin, 0, 1), strbuf_puts(&bin, "X");
	binary_doc(&doc, "<FIELD name=\"b\" datatype=\"boolean\"/>", "BINARY2",
	    &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 1, column \"b\": the byte 0x58 "
	    "is not a boolean.");
	strbuf_reset(&bin);
	be(&bin, 0xfffffffe, 4);
	binary_doc(&doc, CHAR_FIELD, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 1, column \"s\": the array "
	    "length -2 is negative.");
	strbuf_reset(&bin);
	vstr(&bin, "ok"), vstr(&bin, "\xff");
	binary_doc(&doc, CHAR_FIELD, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "Row 2, column \"s\": the text is "
	    "not UTF-8.");
	/* A count beyond the stream: the row does not end. */
	strbuf_reset(&bin);
	be(&bin, 1000, 4), strbuf_puts(&bin, "abc");
	binary_doc(&doc, CHAR_FIELD, "BINARY", &bin);
	refused_lim(doc.s, doc.len, NULL, "The BINARY stream ends inside row "
	    "1.");
	strbuf_free(&bin);
	strbuf_free(&doc);
}

void
suite_upload_vot(void)
{
	CU_pSuite	 s = CU_add_suite("upload_vot", NULL, NULL);

	CU_add_test(s, "a table of every type in TABLEDATA",
	    test_mixed_tabledata);
	CU_add_test(s, "the same table in BINARY and BINARY2",
	    test_mixed_binary);
	CU_add_test(s, "a stream in many pieces", test_stream_pieces);
	CU_add_test(s, "taplint's upload, TABLEDATA and BINARY", test_taplint);
	CU_add_test(s, "astropy's TABLEDATA", test_astropy);
	CU_add_test(s, "prefixes, nesting, the first table", test_structure);
	CU_add_test(s, "the columns alone", test_columns_only);
	CU_add_test(s, "text and its escapes", test_text);
	CU_add_test(s, "unicodeChar from UCS-2", test_ucs2);
	CU_add_test(s, "numbers and booleans", test_numbers);
	CU_add_test(s, "arrays", test_arrays);
	CU_add_test(s, "timestamps", test_timestamps);
	CU_add_test(s, "a callback that stops", test_callback_stops);
	CU_add_test(s, "refused: the document", test_refused_document);
	CU_add_test(s, "refused: FIELDs", test_refused_fields);
	CU_add_test(s, "refused: limits", test_refused_limits);
	CU_add_test(s, "refused: rows", test_refused_rows);
	CU_add_test(s, "refused: values", test_refused_values);
	CU_add_test(s, "refused: binary", test_refused_binary);
}
