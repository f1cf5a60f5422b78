/*
 * tap_b2: every VOTable datatype in BINARY2, nulls, refusals, whole rows;
 * numbers given as numbers, to the bytes of their text.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base64.h"
#include "helpers.h"
#include "tap_b2.h"

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
}
