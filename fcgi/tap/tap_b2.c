#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap_b2.h"
#include "utf8.h"

/*
 * A datatype: either a whole cell at once (CELL: characters and bits,
 * whose text is not a list of tokens), or an element from each PER
 * whitespace-separated tokens: a number (FROM_INT, FROM_REAL: what the
 * token is parsed into), or else by ELEM (TOK NULL for a null element).
 */
struct b2_type {
	const char	*name;
	int		(*cell)(const struct tap_b2_col *, const char *text,
			    struct strbuf *out);
	int		 per;
	int		(*from_int)(long long v, struct strbuf *out);
	int		(*from_real)(double d, struct strbuf *out);
	int		(*elem)(const char *tok, size_t n, struct strbuf *out);
};

/* V's low BYTES bytes, most significant first. */
static int
put_be(struct strbuf *out, uint64_t v, int bytes)
{
	unsigned char	 b[8];

	for (int i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	return strbuf_add(out, b, (size_t)bytes);
}

static int
put_zeros(struct strbuf *out, size_t n)
{
	static const char	 zeros[64];
	size_t			 k;

	for (; n > 0; n -= k) {
		k = n < sizeof(zeros) ? n : sizeof(zeros);
		if (strbuf_add(out, zeros, k) == -1)
			return -1;
	}
	return 0;
}

/* A variable array's count, N, into the 4 bytes reserved before AT. */
static int
set_count(struct strbuf *out, size_t at, size_t n)
{
	if (n > INT32_MAX)
		return -1;
	for (int i = 0; i < 4; i++)
		out->s[at - 4 + i] = (char)(n >> (8 * (3 - i)));
	return 0;
}

/* --- Numbers -------------------------------------------------------------- */

/* A decimal integer as PostgreSQL prints one: a sign at most, then digits. */
static int
parse_int(const char *tok, size_t n, long long *v)
{
	char	 buf[32], *end;
	size_t	 i = tok[0] == '-' || tok[0] == '+';

	if (n >= sizeof(buf) || i == n)
		return -1;
	for (; i < n; i++)
		if (!isdigit((unsigned char)tok[i]))
			return -1;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return errno != 0 ? -1 : 0;
}

/* V in BYTES bytes, when it is in [LO, HI]. */
static int
put_ranged(long long v, long long lo, long long hi, int bytes,
    struct strbuf *out)
{
	return v < lo || v > hi ? -1 : put_be(out, (uint64_t)v, bytes);
}

static int
int_ubyte(long long v, struct strbuf *out)
{
	return put_ranged(v, 0, UCHAR_MAX, 1, out);
}

static int
int_short(long long v, struct strbuf *out)
{
	return put_ranged(v, INT16_MIN, INT16_MAX, 2, out);
}

static int
int_int(long long v, struct strbuf *out)
{
	return put_ranged(v, INT32_MIN, INT32_MAX, 4, out);
}

static int
int_long(long long v, struct strbuf *out)
{
	return put_ranged(v, INT64_MIN, INT64_MAX, 8, out);
}

/*
 * A decimal number, or one of the spellings of the special values that
 * TABLEDATA and PostgreSQL use; strtod's others (hex, "inf", "nan(...)")
 * are nothing the database prints, so they are refused.
 */
static int
parse_real(const char *tok, size_t n, double *d)
{
	static const struct {
		const char	*word;
		double		 d;
	} special[] = {
		{ "NaN", NAN }, { "+Inf", INFINITY }, { "-Inf", -INFINITY },
		{ "Infinity", INFINITY }, { "-Infinity", -INFINITY }
	};
	char	 buf[64], *end;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(buf, special[i].word) == 0) {
			*d = special[i].d;
			return 0;
		}
	if (strspn(buf, "0123456789+-.eE") != n)
		return -1;
	*d = strtod(buf, &end);
	return *end != '\0' || isinf(*d) ? -1 : 0;
}

/*
 * Every NaN is written as the one NAN is, whatever its sign and payload:
 * the text "NaN" tells neither.
 */
static int
real_float(double d, struct strbuf *out)
{
	union { float f; uint32_t u; } v = { .f = NAN };

	if (isfinite(d) && fabs(d) > FLT_MAX)
		return -1;
	if (!isnan(d))
		v.f = (float)d;
	return put_be(out, v.u, 4);
}

static int
real_double(double d, struct strbuf *out)
{
	union { double d; uint64_t u; } v = { .d = NAN };

	if (!isnan(d))
		v.d = d;
	return put_be(out, v.u, 8);
}

static int
put_boolean(const char *tok, size_t n, struct strbuf *out)
{
	static const char *const yes[] = { "T", "true", "1", NULL };
	static const char *const no[] = { "F", "false", "0", NULL };
	char	 c = '?';
	int	 i;

	if (tok == NULL || (n == 1 && *tok == '?'))
		return strbuf_add(out, &c, 1);
	for (i = 0; yes[i] != NULL; i++)
		if (strlen(yes[i]) == n && strncasecmp(tok, yes[i], n) == 0)
			c = 'T';
	for (i = 0; no[i] != NULL; i++)
		if (strlen(no[i]) == n && strncasecmp(tok, no[i], n) == 0)
			c = 'F';
	return c == '?' ? -1 : strbuf_add(out, &c, 1);
}

/* An element of T from token TOK (N bytes; NULL: a null, zero or NaN). */
static int
put_elem(const struct b2_type *t, const char *tok, size_t n,
    struct strbuf *out)
{
	long long	 v = 0;
	double		 d = NAN;

	if (t->from_int != NULL)
		return tok != NULL && parse_int(tok, n, &v) == -1 ? -1 :
		    t->from_int(v, out);
	if (t->from_real != NULL)
		return tok != NULL && parse_real(tok, n, &d) == -1 ? -1 :
		    t->from_real(d, out);
	return t->elem(tok, n, out);
}

/* Elements from whitespace-separated tokens: as many as the size says. */
static int
cell_tokens(const struct tap_b2_col *c, const char *text, struct strbuf *out)
{
	static const char	 ws[] = " \t\r\n";
	const struct b2_type	*t = c->type;
	const char		*p = text;
	size_t			 n, at;
	long			 ntok = 0, want = c->count * t->per;

	if (c->variable && put_be(out, 0, 4) == -1)	/* the count, later */
		return -1;
	at = out->len;
	for (; text != NULL; ntok++) {
		p += strspn(p, ws);
		if (*p == '\0')
			break;
		n = strcspn(p, ws);
		if ((!c->variable && ntok == want) ||
		    put_elem(t, p, n, out) == -1)
			return -1;
		p += n;
	}
	if (c->variable)
		return ntok % want != 0 ? -1 :
		    set_count(out, at, (size_t)(ntok / t->per));
	if (text != NULL)
		return ntok == want ? 0 : -1;
	for (; ntok < want; ntok++)
		if (put_elem(t, NULL, 0, out) == -1)
			return -1;
	return 0;
}

/* --- Characters and bits -------------------------------------------------- */

/*
 * N elements of SIZE bytes at S, in the column's size: after their count,
 * or padded with zero elements to the fixed size, which they may not pass.
 */
static int
put_elements(const struct tap_b2_col *c, const void *s, size_t n,
    size_t size, struct strbuf *out)
{
	if (c->variable)
		return n > INT32_MAX || put_be(out, n, 4) == -1 ? -1 :
		    strbuf_add(out, s, n * size);
	if (n > (size_t)c->count || strbuf_add(out, s, n * size) == -1)
		return -1;
	return put_zeros(out, ((size_t)c->count - n) * size);
}

/*
 * char is bytes, and the database's text goes as it is: UTF-8 beyond
 * ASCII is the same bytes TABLEDATA carries, not a value made up.
 */
static int
cell_char(const struct tap_b2_col *c, const char *text, struct strbuf *out)
{
	return put_elements(c, text, text != NULL ? strlen(text) : 0, 1, out);
}

/* unicodeChar is UTF-16BE; beyond the BMP a surrogate pair, two elements. */
static int
cell_unicode(const struct tap_b2_col *c, const char *text,
    struct strbuf *out)
{
	const unsigned char	*s = (const unsigned char *)text;
	struct strbuf		 u = STRBUF_INIT;
	size_t			 len = text != NULL ? strlen(text) : 0, n;
	uint32_t		 cp;
	int			 rc = 0;

	while (len > 0 && rc == 0) {
		if (*s < 0x80)
			n = 1, cp = *s;
		else if ((n = utf8_decode(s, len, &cp)) == 0)
			break;
		if (cp > 0xffff) {
			cp -= 0x10000;
			rc = put_be(&u, 0xd800 | cp >> 10, 2);
			cp = 0xdc00 | (cp & 0x3ff);
		}
		if (rc == 0)
			rc = put_be(&u, cp, 2);
		s += n;
		len -= n;
	}
	if (rc == 0 && len == 0)
		rc = put_elements(c, u.s, u.len / 2, 2, out);
	else
		rc = -1;
	strbuf_free(&u);
	return rc;
}

/* Bits from a text of '0' and '1', blanks between them or not. */
static int
cell_bit(const struct tap_b2_col *c, const char *text, struct strbuf *out)
{
	size_t	 nbits = 0, at;

	if (c->variable && put_be(out, 0, 4) == -1)
		return -1;
	at = out->len;
	for (const char *p = text; p != NULL && *p != '\0'; p++) {
		if (strchr(" \t\r\n", *p) != NULL)
			continue;
		if ((*p != '0' && *p != '1') ||
		    (nbits % 8 == 0 && put_be(out, 0, 1) == -1))
			return -1;
		if (*p == '1')
			out->s[out->len - 1] |= (char)(0x80 >> nbits % 8);
		nbits++;
	}
	if (c->variable)
		return set_count(out, at, nbits);
	if (text != NULL)
		return nbits == (size_t)c->count ? 0 : -1;
	return put_zeros(out, ((size_t)c->count + 7) / 8);
}

static const struct b2_type types[] = {
	{ "boolean", cell_tokens, 1, NULL, NULL, put_boolean },
	{ "bit", cell_bit, 1, NULL, NULL, NULL },
	{ "unsignedByte", cell_tokens, 1, int_ubyte, NULL, NULL },
	{ "short", cell_tokens, 1, int_short, NULL, NULL },
	{ "int", cell_tokens, 1, int_int, NULL, NULL },
	{ "long", cell_tokens, 1, int_long, NULL, NULL },
	{ "char", cell_char, 1, NULL, NULL, NULL },
	{ "unicodeChar", cell_unicode, 1, NULL, NULL, NULL },
	{ "float", cell_tokens, 1, NULL, real_float, NULL },
	{ "double", cell_tokens, 1, NULL, real_double, NULL },
	{ "floatComplex", cell_tokens, 2, NULL, real_float, NULL },
	{ "doubleComplex", cell_tokens, 2, NULL, real_double, NULL },
};

/* A fixed array larger than this is a typo in TAP_SCHEMA, not a column. */
#define MAX_FIXED	1000000L

/*
 * VOTable's arraysize: dimensions joined by 'x', each a count, but for
 * the last, which may also be "*" or "N*" (a variable number of rows of
 * the others; N, an upper bound, changes nothing in the encoding).
 */
static int
parse_arraysize(struct tap_b2_col *c, const char *s)
{
	long	 dim;
	char	*end;

	c->count = 1;
	c->variable = 0;
	for (;;) {
		if (*s == '*' && s[1] == '\0') {
			c->variable = 1;
			return 0;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		dim = strtol(s, &end, 10);
		if (errno != 0 || dim <= 0 || dim > MAX_FIXED)
			return -1;
		if (*end == '*' && end[1] == '\0') {
			c->variable = 1;
			c->bounded = c->count == 1;
			return 0;
		}
		if (c->count * dim > MAX_FIXED)
			return -1;
		c->count *= dim;
		if (*end == '\0')
			return 0;
		if (*end != 'x')
			return -1;
		s = end + 1;
	}
}

int
tap_b2_col(struct tap_b2_col *c, const char *datatype, const char *arraysize)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (datatype != NULL && strcmp(datatype, types[i].name) == 0)
			c->type = &types[i];
	if (c->type == NULL)
		return -1;
	c->scalar = arraysize == NULL;
	if (c->scalar) {
		c->count = 1;
		return 0;
	}
	return parse_arraysize(c, arraysize);
}

const char *
tap_b2_arraysize(const struct tap_b2_col *c, const char *arraysize)
{
	if (c->bounded && (c->type->cell == cell_char ||
	    c->type->cell == cell_unicode))
		return "*";
	return arraysize;
}

/*
 * RC of a put that began with OUT LEN bytes long: on a refusal, what it
 * wrote is taken back.
 */
static int
kept(int rc, size_t len, struct strbuf *out)
{
	if (rc == 0)
		return 0;
	out->len = len;
	if (out->s != NULL)
		out->s[len] = '\0';
	return -1;
}

int
tap_b2_put(const struct tap_b2_col *c, const char *text, struct strbuf *out)
{
	size_t	 len = out->len;

	return kept(c->type->cell(c, text, out), len, out);
}

int
tap_b2_takes_int(const struct tap_b2_col *c)
{
	return c->scalar && c->type->from_int != NULL;
}

int
tap_b2_takes_real(const struct tap_b2_col *c)
{
	/* A complex number is two. */
	return c->scalar && c->type->from_real != NULL && c->type->per == 1;
}

int
tap_b2_put_int(const struct tap_b2_col *c, long long v, struct strbuf *out)
{
	size_t	 len = out->len;

	return kept(c->type->from_int(v, out), len, out);
}

int
tap_b2_put_real(const struct tap_b2_col *c, double d, struct strbuf *out)
{
	size_t	 len = out->len;

	return kept(c->type->from_real(d, out), len, out);
}

/* --- Rows ----------------------------------------------------------------- */

int
tap_b2_init(struct tap_b2 *b, const struct adql_field *fields, int nfields,
    struct response *r, char *why, size_t whysize)
{
	memset(b, 0, sizeof(*b));
	b64_init(&b->b64, r);
	if ((b->cols = calloc((size_t)nfields + 1, sizeof(*b->cols))) ==
	    NULL) {
		snprintf(why, whysize, "Internal error: out of memory");
		return -1;
	}
	b->ncols = nfields;
	for (int k = 0; k < nfields; k++)
		if (tap_b2_col(&b->cols[k], fields[k].datatype,
		    fields[k].arraysize) == -1) {
			snprintf(why, whysize, "Internal error: column %s is "
			    "declared with datatype %s and arraysize %s, which "
			    "BINARY2 cannot carry", fields[k].name,
			    fields[k].datatype != NULL ? fields[k].datatype :
			    "(none)", fields[k].arraysize != NULL ?
			    fields[k].arraysize : "(none)");
			tap_b2_free(b);
			return -1;
		}
	return 0;
}

void
tap_b2_free(struct tap_b2 *b)
{
	free(b->cols);
	b->cols = NULL;
	strbuf_free(&b->row);
}

int
tap_b2_row_begin(struct tap_b2 *b)
{
	strbuf_reset(&b->row);
	return put_zeros(&b->row, ((size_t)b->ncols + 7) / 8);
}

int
tap_b2_cell(struct tap_b2 *b, int k, const char *text)
{
	if (text == NULL)
		b->row.s[k / 8] |= (char)(0x80 >> k % 8);
	return tap_b2_put(&b->cols[k], text, &b->row);
}

int
tap_b2_cell_int(struct tap_b2 *b, int k, long long v)
{
	return tap_b2_put_int(&b->cols[k], v, &b->row);
}

int
tap_b2_cell_real(struct tap_b2 *b, int k, double d)
{
	return tap_b2_put_real(&b->cols[k], d, &b->row);
}

void
tap_b2_row_end(struct tap_b2 *b)
{
	b64_write(&b->b64, b->row.s, b->row.len);
}

void
tap_b2_finish(struct tap_b2 *b)
{
	b64_finish(&b->b64);
}
