/*
 * tap_b2: every VOTable datatype in BINARY2, nulls, refusals, whole rows;
 * numbers given as numbers, to the bytes of their text.  tap_b2pg: how
 * each column of a result is read, the COPY it runs, and its binary rows
 * cut anywhere.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "helpers.h"
#include "tap_b2.h"
#include "tap_b2pg.h"

/*
 * TEXT of a DATATYPE column with ARRAYSIZE is WANT (LEN bytes), or is
 * refused when WANT is NULL.
 */
static void
check(const char *datatype, const char *arraysize, const char *text,
    const char *want, size_t len)
{
	struct tap_b2_col	 c;
	struct strbuf		 out = STRBUF_INIT;

	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, datatype, arraysize), 0);
	strbuf_puts(&out, "x");		/* what was there stays */
	if (want == NULL) {
		CU_ASSERT_EQUAL(tap_b2_put(&c, text, &out), -1);
		CU_ASSERT_EQUAL(out.len, 1);
	} else {
		CU_ASSERT_EQUAL(tap_b2_put(&c, text, &out), 0);
		CU_ASSERT_EQUAL(out.len, len + 1);
		if (out.len == len + 1)
			CU_ASSERT_EQUAL(memcmp(out.s + 1, want, len), 0);
	}
	strbuf_free(&out);
}
#define OK(d, a, t, w)	check(d, a, t, w, sizeof(w) - 1)
#define NO(d, a, t)	check(d, a, t, NULL, 0)

static void
test_integers(void)
{
	OK("unsignedByte", NULL, "255", "\xff");
	OK("unsignedByte", NULL, NULL, "\0");
	NO("unsignedByte", NULL, "256");
	NO("unsignedByte", NULL, "-1");
	OK("short", NULL, "-2", "\xff\xfe");
	OK("short", NULL, "32767", "\x7f\xff");
	NO("short", NULL, "32768");
	OK("int", NULL, "7", "\0\0\0\x07");
	OK("int", NULL, "+7", "\0\0\0\x07");
	OK("int", NULL, "-2147483648", "\x80\0\0\0");
	NO("int", NULL, "2147483648");
	OK("int", NULL, NULL, "\0\0\0\0");
	OK("long", NULL, "-1", "\xff\xff\xff\xff\xff\xff\xff\xff");
	OK("long", NULL, "9223372036854775807",
	    "\x7f\xff\xff\xff\xff\xff\xff\xff");
	NO("long", NULL, "9223372036854775808");
	/* Nothing PostgreSQL prints for an integer, nor two of them. */
	NO("int", NULL, "1.5");
	NO("int", NULL, "1e3");
	NO("int", NULL, "0x10");
	NO("int", NULL, "-");
	NO("int", NULL, "");
	NO("int", NULL, "1 2");
	NO("int", NULL, "12345678901234567890123456789012345");
	OK("long", "3", "1 2 -3", "\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\x02"
	    "\xff\xff\xff\xff\xff\xff\xff\xfd");
	OK("short", "*", "1 2", "\0\0\0\x02\0\x01\0\x02");
}

static void
test_reals(void)
{
	OK("double", NULL, "1", "\x3f\xf0\0\0\0\0\0\0");
	OK("double", NULL, "-2.5e-1", "\xbf\xd0\0\0\0\0\0\0");
	OK("double", NULL, "+Inf", "\x7f\xf0\0\0\0\0\0\0");
	OK("double", NULL, "-Inf", "\xff\xf0\0\0\0\0\0\0");
	OK("double", NULL, "Infinity", "\x7f\xf0\0\0\0\0\0\0");
	OK("double", NULL, "NaN", "\x7f\xf8\0\0\0\0\0\0");
	OK("double", NULL, NULL, "\x7f\xf8\0\0\0\0\0\0");
	NO("double", NULL, "nan");
	NO("double", NULL, "inf");
	NO("double", NULL, "0x1p3");
	NO("double", NULL, "1e999");
	NO("double", NULL, "1.5x");
	NO("double", NULL, "");
	OK("float", NULL, "1.5", "\x3f\xc0\0\0");
	OK("float", NULL, NULL, "\x7f\xc0\0\0");
	NO("float", NULL, "3.5e38");
	OK("floatComplex", NULL, "1 -2", "\x3f\x80\0\0\xc0\0\0\0");
	NO("floatComplex", NULL, "1");
	OK("doubleComplex", "*", "1 2", "\0\0\0\x01"
	    "\x3f\xf0\0\0\0\0\0\0\x40\0\0\0\0\0\0\0");
	NO("doubleComplex", "*", "1 2 3");
}

/* The forms DALI gives geometry in: point, circle, polygon. */
static void
test_arrays(void)
{
	OK("double", "2", "10 -20", "\x40\x24\0\0\0\0\0\0"
	    "\xc0\x34\0\0\0\0\0\0");
	OK("double", "2", NULL, "\x7f\xf8\0\0\0\0\0\0\x7f\xf8\0\0\0\0\0\0");
	NO("double", "2", "10");
	NO("double", "2", "10 20 30");
	NO("double", "2", "");
	OK("double", "*", "1 2 3", "\0\0\0\x03\x3f\xf0\0\0\0\0\0\0"
	    "\x40\0\0\0\0\0\0\0\x40\x08\0\0\0\0\0\0");
	OK("double", "*", NULL, "\0\0\0\0");
	OK("double", "*", "", "\0\0\0\0");
	OK("double", "100*", "1", "\0\0\0\x01\x3f\xf0\0\0\0\0\0\0");
	/* A variable number of pairs. */
	OK("short", "2x*", "1 2 3 4", "\0\0\0\x04\0\x01\0\x02\0\x03\0\x04");
	NO("short", "2x*", "1 2 3");
	OK("short", "2x2", "1 2 3 4", "\0\x01\0\x02\0\x03\0\x04");
	NO("double", "*", "1 x");
}

static void
test_booleans_and_bits(void)
{
	OK("boolean", NULL, "t", "T");
	OK("boolean", NULL, "TRUE", "T");
	OK("boolean", NULL, "0", "F");
	OK("boolean", NULL, "f", "F");
	OK("boolean", NULL, "?", "?");
	OK("boolean", NULL, NULL, "?");
	NO("boolean", NULL, "yes");
	OK("boolean", "*", "T F", "\0\0\0\x02TF");
	OK("bit", NULL, "1", "\x80");
	OK("bit", NULL, NULL, "\0");
	NO("bit", NULL, "10");
	NO("bit", NULL, "2");
	OK("bit", "10", "1010000011", "\xa0\xc0");
	OK("bit", "10", "1 0 1 0 0 0 0 0 1 1", "\xa0\xc0");
	OK("bit", "10", NULL, "\0\0");
	NO("bit", "10", "101");
	OK("bit", "*", "101", "\0\0\0\x03\xa0");
	OK("bit", "*", NULL, "\0\0\0\0");
}

static void
test_strings(void)
{
	OK("char", "*", "abc", "\0\0\0\x03" "abc");
	OK("char", "*", "", "\0\0\0\0");
	OK("char", "*", NULL, "\0\0\0\0");
	OK("char", "*", "\xc3\xa9", "\0\0\0\x02\xc3\xa9");	/* é, UTF-8 */
	/* The bound is the declaration's; the length says what is there. */
	OK("char", "2*", "abc", "\0\0\0\x03" "abc");
	OK("char", "5", "abc", "abc\0\0");
	OK("char", "5", NULL, "\0\0\0\0\0");
	NO("char", "5", "abcdef");
	OK("char", NULL, "a", "a");
	OK("char", NULL, NULL, "\0");
	NO("char", NULL, "ab");
	OK("unicodeChar", "*", "a\xc3\xa9", "\0\0\0\x02\0a\0\xe9");
	/* U+1F600: a surrogate pair, two characters of UTF-16. */
	OK("unicodeChar", "*", "\xf0\x9f\x98\x80", "\0\0\0\x02\xd8\x3d\xde\0");
	OK("unicodeChar", "3", "ab", "\0a\0b\0\0");
	NO("unicodeChar", "3", "abcd");
	NO("unicodeChar", "*", "a\xff");
	NO("unicodeChar", "*", "\xc3");
}

static void
test_declarations(void)
{
	struct tap_b2_col	 c;
	const char		*bad[][2] = {
		{ "string", NULL }, { NULL, NULL }, { "Double", NULL },
		{ "double", "0" }, { "double", "" }, { "double", "x" },
		{ "double", "2x" }, { "double", "*x2" }, { "double", "-1" },
		{ "double", "2**" }, { "double", "1000001" },
		{ "double", "1000x1001" }
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(tap_b2_col(&c, bad[i][0], bad[i][1]), -1);
	CU_ASSERT_EQUAL(tap_b2_col(&c, "char", "32*"), 0);
	CU_ASSERT_STRING_EQUAL(tap_b2_arraysize(&c, "32*"), "*");
	CU_ASSERT_EQUAL(tap_b2_col(&c, "char", "10x*"), 0);
	CU_ASSERT_STRING_EQUAL(tap_b2_arraysize(&c, "10x*"), "10x*");
	CU_ASSERT_EQUAL(tap_b2_col(&c, "double", "32*"), 0);
	CU_ASSERT_STRING_EQUAL(tap_b2_arraysize(&c, "32*"), "32*");
}

/*
 * TEXT of a DATATYPE scalar (as PostgreSQL prints V, or D when REAL) and
 * the number itself give the same bytes, or are both refused.
 */
static void
same(const char *datatype, const char *text, int real, long long v,
    double d)
{
	struct tap_b2_col	 c;
	struct strbuf		 a = STRBUF_INIT, b = STRBUF_INIT;

	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, datatype, NULL), 0);
	CU_ASSERT_EQUAL(tap_b2_takes_int(&c), !real);
	CU_ASSERT_EQUAL(tap_b2_takes_real(&c), real);
	strbuf_puts(&b, "x");		/* what was there stays */
	CU_ASSERT_EQUAL(tap_b2_put(&c, text, &a), real ?
	    tap_b2_put_real(&c, d, &b) : tap_b2_put_int(&c, v, &b));
	CU_ASSERT_EQUAL(a.len + 1, b.len);
	if (a.len + 1 == b.len && a.len > 0)
		CU_ASSERT_EQUAL(memcmp(a.s, b.s + 1, a.len), 0);
	strbuf_free(&a);
	strbuf_free(&b);
}
#define SAME_INT(t, s, v)	same(t, s, 0, v, 0)
#define SAME_REAL(t, s, d)	same(t, s, 1, 0, d)

static void
test_numbers(void)
{
	struct tap_b2_col	 c;
	union { double d; uint64_t u; } neg = { .u = 0xfff8000000000001ULL };

	SAME_INT("unsignedByte", "255", 255);
	SAME_INT("unsignedByte", "256", 256);
	SAME_INT("unsignedByte", "-1", -1);
	SAME_INT("short", "-32768", INT16_MIN);
	SAME_INT("short", "32768", 32768);
	SAME_INT("int", "-2147483648", INT32_MIN);
	SAME_INT("int", "2147483648", 2147483648LL);
	SAME_INT("long", "-9223372036854775808", INT64_MIN);
	SAME_INT("long", "9223372036854775807", INT64_MAX);
	SAME_REAL("double", "0.1", 0.1);
	SAME_REAL("double", "-0", -0.0);
	SAME_REAL("double", "+Inf", INFINITY);
	SAME_REAL("double", "-Infinity", -INFINITY);
	SAME_REAL("double", "1e-320", 1e-320);
	/* Every NaN as the text "NaN" is written, whatever its bits. */
	SAME_REAL("double", "NaN", neg.d);
	SAME_REAL("float", "NaN", neg.d);
	SAME_REAL("float", "3.4028234663852886e+38", 3.4028234663852886e+38);
	SAME_REAL("float", "3.5e38", 3.5e38);
	SAME_REAL("float", "-Inf", -INFINITY);
	SAME_REAL("float", "0.1", 0.1);
	/* Arrays, and what has no number, take none. */
	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, "int", "1"), 0);
	CU_ASSERT_FALSE(tap_b2_takes_int(&c));
	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, "double", "*"), 0);
	CU_ASSERT_FALSE(tap_b2_takes_real(&c));
	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, "doubleComplex", NULL), 0);
	CU_ASSERT_FALSE(tap_b2_takes_real(&c));
	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, "boolean", NULL), 0);
	CU_ASSERT_FALSE(tap_b2_takes_int(&c));
	CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, "char", NULL), 0);
	CU_ASSERT_FALSE(tap_b2_takes_int(&c));
	CU_ASSERT_FALSE(tap_b2_takes_real(&c));
}

/* Rows: the null flags first, a null's bytes kept, refusals unsent. */
static void
test_rows(void)
{
	static const struct adql_field	 f[9] = {
		{ .name = "a", .datatype = "int" },
		{ .name = "b", .datatype = "char", .arraysize = "*" },
		{ .name = "c", .datatype = "double", .arraysize = "2" },
		{ .name = "d", .datatype = "short" },
		{ .name = "e", .datatype = "short" },
		{ .name = "f", .datatype = "short" },
		{ .name = "g", .datatype = "short" },
		{ .name = "h", .datatype = "short" },
		{ .name = "i", .datatype = "boolean" },
	};
	static const char	 want[] =
	    "\x40\x80" "\0\0\0\x2a" "\0\0\0\0" "\x40\x24\0\0\0\0\0\0"
	    "\x40\x34\0\0\0\0\0\0" "\0\x01\0\x02\0\x03\0\x04\0\x05" "?";
	const char		*cells[9] = { "42", NULL, "10 20", "1", "2",
		"3", "4", "5", NULL };
	struct strbuf		 out = STRBUF_INIT, b64 = STRBUF_INIT;
	struct response		 r;
	struct tap_b2		 b;
	char			 why[256];
	int			 k;

	body_init(&r, &out);
	CU_ASSERT_EQUAL_FATAL(tap_b2_init(&b, f, 9, &r, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(tap_b2_row_begin(&b), 0);
	for (k = 0; k < 9; k++)
		CU_ASSERT_EQUAL(tap_b2_cell(&b, k, cells[k]), 0);
	tap_b2_row_end(&b);
	/* A refused row leaves nothing behind. */
	CU_ASSERT_EQUAL(tap_b2_row_begin(&b), 0);
	CU_ASSERT_EQUAL(tap_b2_cell(&b, 0, "x"), -1);
	tap_b2_finish(&b);
	b64_encode(&b64, want, sizeof(want) - 1);
	strbuf_puts(&b64, "\n");
	CU_ASSERT_STRING_EQUAL(strbuf_str(&out), strbuf_str(&b64));
	tap_b2_free(&b);
	strbuf_free(&out);
	strbuf_free(&b64);
	/* A declaration VOTable does not know is refused at once, named. */
	CU_ASSERT_EQUAL(tap_b2_init(&b, &(struct adql_field){ .name = "z",
	    .datatype = "text" }, 1, &r, why, sizeof(why)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "column z"));
}

/* --- tap_b2pg ------------------------------------------------------------ */

enum { INT2 = 21, INT4 = 23, INT8 = 20, FLOAT8 = 701, TEXT = 25,
	VARCHAR = 1043, BPCHAR = 1042, BOOL = 16, NUMERIC = 1700,
	FLOAT4 = 700, TIMESTAMP = 1114, SPOLY = 17000 };

static void
test_b2pg_columns(void)
{
	static const struct {
		Oid		 type;
		enum tap_cell	 kind;
		const char	*datatype, *arraysize;
		enum tap_b2pg	 how;
	} cases[] = {
		{ INT4, CELL_INT, "int", NULL, B2PG_INT },
		{ INT8, CELL_INT, "short", NULL, B2PG_INT },
		{ INT2, CELL_TEXT, "long", NULL, B2PG_INT },
		{ FLOAT8, CELL_REAL, "double", NULL, B2PG_REAL },
		{ FLOAT8, CELL_REAL, "float", NULL, B2PG_REAL },
		{ TEXT, CELL_POLY, "char", "*", B2PG_TEXT },
		{ VARCHAR, CELL_TEXT, "char", "*", B2PG_TEXT },
		{ BPCHAR, CELL_TEXT, "char", "4", B2PG_TEXT },
		/* Numbers whose text is rewritten, or declared otherwise. */
		{ INT4, CELL_BOOL, "boolean", NULL, B2PG_PRINT },
		{ INT4, CELL_INT, "double", NULL, B2PG_PRINT },
		{ INT4, CELL_INT, "int", "1", B2PG_PRINT },
		{ FLOAT8, CELL_POINT, "double", NULL, B2PG_PRINT },
		{ FLOAT8, CELL_REAL, "long", NULL, B2PG_PRINT },
		{ FLOAT8, CELL_REAL, "doubleComplex", NULL, B2PG_PRINT },
		/* Types read as their text only. */
		{ BOOL, CELL_BOOL, "boolean", NULL, B2PG_PRINT },
		{ NUMERIC, CELL_REAL, "double", NULL, B2PG_PRINT },
		{ FLOAT4, CELL_REAL, "float", NULL, B2PG_PRINT },
		{ TIMESTAMP, CELL_TIME, "char", "*", B2PG_PRINT },
		{ SPOLY, CELL_POLY, "char", "*", B2PG_PRINT },
	};
	struct tap_b2_col	 c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(tap_b2_col(&c, cases[i].datatype,
		    cases[i].arraysize), 0);
		CU_ASSERT_EQUAL(tap_b2pg_how(cases[i].type, cases[i].kind, &c),
		    cases[i].how);
	}
}

/* A described statement of N columns of TYPES. */
static PGresult *
described(const Oid *types, int n)
{
	PGresAttDesc	 a[4];
	PGresult	*r = PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);

	memset(a, 0, sizeof(a));
	for (int k = 0; k < n; k++) {
		a[k].name = (char *)"x";
		a[k].typid = types[k];
		a[k].typlen = -1;
		a[k].atttypmod = -1;
	}
	CU_ASSERT_FATAL(r != NULL && PQsetResultAttrs(r, n, a));
	return r;
}

static void
test_b2pg_sql(void)
{
	static const struct adql_field	 f[3] = {
		{ .name = "a", .datatype = "int", .type = ADQL_T_INT },
		{ .name = "b", .datatype = "char", .arraysize = "*",
		    .type = ADQL_T_TIME },
		{ .name = "c", .datatype = "double", .type = ADQL_T_REAL },
	};
	const Oid	 some[3] = { INT4, TIMESTAMP, FLOAT8 };
	const Oid	 none[3] = { INT8, TEXT, FLOAT8 };
	struct strbuf	 out = STRBUF_INIT;
	enum tap_b2pg	 h[3];
	PGresult	*d;

	d = described(some, 3);
	CU_ASSERT_EQUAL(tap_b2pg_sql("SELECT x LIMIT 3", d, f, 3, h, &out), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&out), "COPY (SELECT c0, CASE WHEN "
	    "c1 IS NULL THEN NULL ELSE pg_catalog.format('%s', c1) END, c2 "
	    "FROM (SELECT x LIMIT 3) AS b2 (c0, c1, c2)) TO STDOUT "
	    "(FORMAT binary)");
	CU_ASSERT(h[0] == B2PG_INT && h[1] == B2PG_TEXT && h[2] == B2PG_REAL);
	/* Described otherwise than checked: not run so. */
	CU_ASSERT_EQUAL(tap_b2pg_sql("SELECT x", d, f, 2, h, &out), -1);
	PQclear(d);
	/* Nothing to print: the statement as it is. */
	d = described(none, 3);
	CU_ASSERT_EQUAL(tap_b2pg_sql("SELECT x", d, f, 3, h, &out), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&out),
	    "COPY (SELECT x) TO STDOUT (FORMAT binary)");
	PQclear(d);
	strbuf_free(&out);
}

static void
test_b2pg_numbers(void)
{
	long long	 i;
	double		 d;

	CU_ASSERT(tap_b2pg_int("\xff\xfe", 2, &i) == 0 && i == -2);
	CU_ASSERT(tap_b2pg_int("\x7f\xff", 2, &i) == 0 && i == 32767);
	CU_ASSERT(tap_b2pg_int("\x80\0\0\0", 4, &i) == 0 && i == INT32_MIN);
	CU_ASSERT(tap_b2pg_int("\0\0\0\x2a", 4, &i) == 0 && i == 42);
	CU_ASSERT(tap_b2pg_int("\x80\0\0\0\0\0\0\0", 8, &i) == 0 &&
	    i == INT64_MIN);
	CU_ASSERT(tap_b2pg_int("\xff\xff\xff\xff\xff\xff\xff\xff", 8, &i) ==
	    0 && i == -1);
	CU_ASSERT_EQUAL(tap_b2pg_int("\0\0\0", 3, &i), -1);
	CU_ASSERT(tap_b2pg_real("\x3f\xf0\0\0\0\0\0\0", 8, &d) == 0 &&
	    d == 1.0);
	CU_ASSERT(tap_b2pg_real("\xc0\x34\0\0\0\0\0\0", 8, &d) == 0 &&
	    d == -20.0);
	CU_ASSERT_EQUAL(tap_b2pg_real("\0\0\0\0", 4, &d), -1);
}

/*
 * A COPY of two rows of (int4, text, float8) as PostgreSQL writes it: the
 * header, each row's count and cells (-1: a null), the end.
 */
static const char	 copy_data[] =
    "PGCOPY\n\377\r\n\0" "\0\0\0\0" "\0\0\0\0"
    "\0\x03" "\0\0\0\x04\0\0\0\x07" "\0\0\0\x02hi"
    "\0\0\0\x08\x3f\xf0\0\0\0\0\0\0"
    "\0\x03" "\xff\xff\xff\xff" "\0\0\0\0" "\xff\xff\xff\xff"
    "\xff\xff";
static const enum tap_b2pg	 copy_how[3] = { B2PG_INT, B2PG_TEXT,
	B2PG_REAL };

/* The rows of DATA (LEN bytes) in pieces cut at CUT1 and CUT2; how many. */
static int
copy_rows(const char *data, size_t len, size_t cut1, size_t cut2, int *bad)
{
	struct tap_b2pg_rows		 r;
	const struct tap_b2pg_row	*row;
	size_t				 at[3] = { 0, cut1, cut2 };
	int				 n = 0;

	CU_ASSERT_EQUAL_FATAL(tap_b2pg_rows_init(&r, 3, copy_how), 0);
	*bad = 0;
	for (int i = 0; i < 3 && !*bad; i++) {
		CU_ASSERT_EQUAL(tap_b2pg_give(&r, data + at[i],
		    (i < 2 ? at[i + 1] : len) - at[i]), 0);
		while ((row = tap_b2pg_take(&r, bad)) != NULL) {
			CU_ASSERT_PTR_EQUAL(row->how, r.how);
			if (n == 0) {
				CU_ASSERT(row->len[0] == 4 &&
				    memcmp(row->v[0], "\0\0\0\x07", 4) == 0);
				CU_ASSERT(row->v[1] != NULL &&
				    strcmp(row->v[1], "hi") == 0);
				CU_ASSERT_EQUAL(row->len[2], 8);
			} else {
				CU_ASSERT_PTR_NULL(row->v[0]);
				CU_ASSERT(row->v[1] != NULL &&
				    strcmp(row->v[1], "") == 0);
				CU_ASSERT_PTR_NULL(row->v[2]);
			}
			n++;
		}
	}
	if (!*bad && !tap_b2pg_ended(&r))
		n = -1;
	tap_b2pg_free(&r);
	return n;
}

static void
test_b2pg_copy(void)
{
	size_t		 len = sizeof(copy_data) - 1;
	char		 bad[sizeof(copy_data)];
	int		 isbad;

	/* However the pieces are cut, the same two rows and the end. */
	for (size_t i = 0; i <= len; i++)
		for (size_t j = i; j <= len; j++)
			CU_ASSERT_EQUAL(copy_rows(copy_data, len, i, j,
			    &isbad), 2);
	/* Cut short: no end. */
	CU_ASSERT_EQUAL(copy_rows(copy_data, len - 1, 0, 0, &isbad), -1);
	CU_ASSERT_EQUAL(copy_rows(copy_data, 30, 10, 20, &isbad), -1);
	/* Not PostgreSQL's header; OIDs; a row of another size. */
	memcpy(bad, copy_data, sizeof(bad));
	bad[0] = 'X';
	CU_ASSERT(copy_rows(bad, len, 0, 0, &isbad) == 0 && isbad);
	memcpy(bad, copy_data, sizeof(bad));
	bad[13] = 1;
	CU_ASSERT(copy_rows(bad, len, 0, 0, &isbad) == 0 && isbad);
	memcpy(bad, copy_data, sizeof(bad));
	bad[20] = 2;
	CU_ASSERT(copy_rows(bad, len, 0, 0, &isbad) == 0 && isbad);
	/* A length below -1. */
	memcpy(bad, copy_data, sizeof(bad));
	memcpy(bad + 21, "\xff\xff\xff\xfe", 4);
	CU_ASSERT(copy_rows(bad, len, 0, 0, &isbad) == 0 && isbad);
	/* Anything after the end. */
	memcpy(bad, copy_data, sizeof(bad));
	CU_ASSERT(copy_rows(bad, len + 1, 0, 0, &isbad) == 2 && isbad);
}

void
suite_b2(void)
{
	CU_pSuite	 s = CU_add_suite("binary2", NULL, NULL);

	CU_add_test(s, "integers", test_integers);
	CU_add_test(s, "floating point and complex", test_reals);
	CU_add_test(s, "arrays, fixed and variable", test_arrays);
	CU_add_test(s, "booleans and bits", test_booleans_and_bits);
	CU_add_test(s, "char and unicodeChar", test_strings);
	CU_add_test(s, "datatypes and arraysizes", test_declarations);
	CU_add_test(s, "rows", test_rows);
	CU_add_test(s, "numbers as numbers", test_numbers);
	CU_add_test(s, "PostgreSQL's columns", test_b2pg_columns);
	CU_add_test(s, "the COPY statement", test_b2pg_sql);
	CU_add_test(s, "PostgreSQL's binary numbers", test_b2pg_numbers);
	CU_add_test(s, "COPY rows cut anywhere", test_b2pg_copy);
}
