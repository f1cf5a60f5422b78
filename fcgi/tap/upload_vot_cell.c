#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upload_vot_int.h"
#include "utf8.h"

/*
 * The values of upload_vot: TABLEDATA's text parsed, and every value, from
 * any serialization, written into the row's COPY line.
 */

/* XML's blanks, which TABLEDATA puts around and between values. */
static int
blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* The datatype with its article, for "... is not a short". */
static const char *const names[] = {
	[UP_BOOLEAN] = "a boolean", [UP_BIT] = "a bit",
	[UP_UBYTE] = "an unsignedByte", [UP_SHORT] = "a short",
	[UP_INT] = "an int", [UP_LONG] = "a long", [UP_CHAR] = "a char",
	[UP_UNICODE] = "a unicodeChar", [UP_FLOAT] = "a float",
	[UP_DOUBLE] = "a double"
};

int
up_add(struct up_reader *r, const char *s, size_t n)
{
	return strbuf_add(&r->line, s, n) == -1 ? up_nomem(r) : 0;
}

int
up_utf8_ok(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 k;

	for (size_t i = 0; i < n; i += k) {
		k = 1;
		if (p[i] == 0)
			return 0;
		if (p[i] >= 0x80 && (k = utf8_decode(p + i, n - i, &cp)) == 0)
			return 0;
	}
	return 1;
}

/* S[0..N) without the blanks around it. */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && blank(*s))
		s++, (*n)--;
	while (*n > 0 && blank(s[*n - 1]))
		(*n)--;
	return s;
}

/* --- Rows and cells ------------------------------------------------------ */

int
up_row_begin(struct up_reader *r)
{
	if (r->lim->max_rows > 0 && r->t->nrows >= r->lim->max_rows)
		return up_fail(r, "The upload has more than %ld rows.",
		    r->lim->max_rows);
	strbuf_reset(&r->line);
	return 0;
}

int
up_row_end(struct up_reader *r)
{
	if (up_add(r, "\n", 1) == -1)
		return -1;
	if (r->whysize > 0)
		r->why[0] = '\0';
	if (r->row(r->ctx, r->line.s, r->line.len) != 0) {
		/* The callback's own reason, if it gave one. */
		if (r->whysize > 0 && r->why[0] != '\0')
			return up_stop(r);
		return up_fail(r, "Row %ld could not be stored.", UP_ROW(r));
	}
	r->t->nrows++;
	return 0;
}

int
up_cell_begin(struct up_reader *r, int k)
{
	if (k > 0 && up_add(r, "\t", 1) == -1)
		return -1;
	r->cell_at = r->line.len;
	return 0;
}

int
up_cell_long(struct up_reader *r, int k, size_t n)
{
	if (r->lim->max_cell > 0 && n > r->lim->max_cell)
		return up_fail_cell(r, k, "the value is longer than %zu bytes.",
		    r->lim->max_cell);
	return 0;
}

int
up_put_null(struct up_reader *r)
{
	return up_add(r, "\\N", 2);
}

/* --- Text ----------------------------------------------------------------- */

static int
days_in(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* N digits at S as a number, or -1. */
static int
digits(const char *s, int n)
{
	int	 v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

/*
 * DALI's timestamp: YYYY-MM-DD[Thh:mm:ss[.fff]][Z], a real date and time
 * (PostgreSQL refuses a year 0, and reads a 60th second as a leap one);
 * its length without the Z, or 0.
 */
static size_t
timestamp_len(const char *s, size_t n)
{
	int	 y, mo, d;
	size_t	 len;

	if (n > 0 && s[n - 1] == 'Z')
		n--;
	if (n < 10 || s[4] != '-' || s[7] != '-' ||
	    (y = digits(s, 4)) < 1 || (mo = digits(s + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(s + 8, 2)) < 1 || d > days_in(y, mo))
		return 0;
	if (n == 10)
		return n;
	if (n < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    digits(s + 11, 2) < 0 || digits(s + 11, 2) > 23 ||
	    digits(s + 14, 2) < 0 || digits(s + 14, 2) > 59 ||
	    digits(s + 17, 2) < 0 || digits(s + 17, 2) > 60)
		return 0;
	if (n == 19)
		return n;
	if (s[19] != '.' || n == 20)
		return 0;
	for (len = 20; len < n; len++)
		if (s[len] < '0' || s[len] > '9')
			return 0;
	return n;
}

/* Is S[0..N) the column's VALUES null, as text? */
static int
null_text(const struct up_col *c, const char *s, size_t n)
{
	return c->snull != NULL && strlen(c->snull) == n &&
	    memcmp(c->snull, s, n) == 0;
}

int
up_put_text(struct up_reader *r, int k, const char *s, size_t n)
{
	const struct up_col	*c = &r->cols[k];
	const char		*esc;
	char			 ex[UP_EXCERPT];
	size_t			 len, from = 0;

	if (n == 0 || null_text(c, s, n))
		return up_put_null(r);
	if (up_cell_long(r, k, n) == -1)
		return -1;
	if (!up_utf8_ok(s, n))
		return up_fail_cell(r, k, "the text is not UTF-8.");
	if (c->timestamp) {
		s = trim(s, &n);
		if (n == 0)
			return up_put_null(r);
		if ((len = timestamp_len(s, n)) == 0)
			return up_fail_cell(r, k, "\"%s\" is not an ISO 8601 "
			    "timestamp (YYYY-MM-DDThh:mm:ss).",
			    up_excerpt(s, n, ex, sizeof(ex)));
		return up_add(r, s, len);
	}
	/* COPY's escapes, for backslash and the line's separators. */
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			esc = "\\\\";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		default:
			continue;
		}
		if (up_add(r, s + from, i - from) == -1 ||
		    up_add(r, esc, 2) == -1)
			return -1;
		from = i + 1;
	}
	return up_add(r, s + from, n - from);
}

/* --- Numbers -------------------------------------------------------------- */

static int
hexdigit(int ch, int base)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (base == 16 && ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (base == 16 && ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * A TABLEDATA integer, S[0..N): a sign at most, then decimal digits or 0x
 * and hex ones; 0, -1 when it is none, -2 when outside [LO, HI].
 */
static int
parse_int(const char *s, size_t n, long long lo, long long hi,
    long long *v)
{
	unsigned long long	 m = 0;
	size_t			 i = 0;
	int			 neg = 0, base = 10, d, over = 0;

	if (n > 0 && (s[0] == '+' || s[0] == '-'))
		neg = s[i++] == '-';
	if (n - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if ((d = hexdigit((unsigned char)s[i], base)) == -1)
			return -1;
		if (m > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			over = 1;
		else
			m = m * (unsigned)base + (unsigned)d;
	}
	if (over || m > (unsigned long long)LLONG_MAX + neg)
		return -2;
	if (neg)
		*v = m == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)m;
	else
		*v = (long long)m;
	return *v < lo || *v > hi ? -2 : 0;
}

/*
 * A TABLEDATA floating-point number: decimal, or NaN, Inf or Infinity in
 * any case and with a sign; 0, -1 when it is none, -2 when too large.
 */
static int
parse_real(const char *s, size_t n, double *d)
{
	char		 buf[128], *end;
	const char	*p = buf;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (*p == '+' || *p == '-')
		p++;
	if (strcasecmp(p, "nan") == 0) {
		*d = NAN;
		return 0;
	}
	if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
		*d = buf[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	/* Not strtod's others: hex, "nan(...)". */
	if (strspn(buf, "0123456789+-.eE") != n ||
	    strpbrk(buf, "0123456789") == NULL)
		return -1;
	errno = 0;
	*d = strtod(buf, &end);
	if (*end != '\0')
		return -1;
	return errno == ERANGE && isinf(*d) ? -2 : 0;
}

static const struct {
	long long	 lo, hi;
} ranges[] = {
	[UP_UBYTE] = { 0, UCHAR_MAX },
	[UP_SHORT] = { INT16_MIN, INT16_MAX },
	[UP_INT] = { INT32_MIN, INT32_MAX },
	[UP_LONG] = { INT64_MIN, INT64_MAX }
};

/*
 * The text of number S[0..N) of column kind KIND: in *I or *D; 0, -1 or
 * -2 as parse_int() and parse_real().
 */
static int
parse_number(enum upload_kind kind, const char *s, size_t n, long long *i,
    double *d)
{
	int	 rc;

	if (kind == UP_FLOAT || kind == UP_DOUBLE) {
		if ((rc = parse_real(s, n, d)) == 0 && kind == UP_FLOAT &&
		    isfinite(*d) && fabs(*d) > FLT_MAX)
			rc = -2;
		if (rc == 0 && kind == UP_FLOAT)
			*d = (float)*d;
		return rc;
	}
	return parse_int(s, n, ranges[kind].lo, ranges[kind].hi, i);
}

int
up_set_null(struct up_reader *r, int k, const char *value)
{
	struct up_col	*c = &r->cols[k];
	char		 ex[UP_EXCERPT], nm[UP_EXCERPT];
	const char	*s = value;
	size_t		 n = strlen(value);

	switch (c->kind) {
	case UP_BOOLEAN:
	case UP_BIT:
		return 0;		/* '?' is their null */
	case UP_CHAR:
	case UP_UNICODE:
		free(c->snull);
		if ((c->snull = strdup(value)) == NULL)
			return up_nomem(r);
		return 0;
	default:
		break;
	}
	s = trim(s, &n);
	if (parse_number(c->kind, s, n, &c->inull, &c->dnull) != 0)
		return up_fail(r, "Column \"%s\" declares the null value "
		    "\"%s\", which is not %s.", up_excerpt(r->t->cols[k].name,
		    strlen(r->t->cols[k].name), nm, sizeof(nm)),
		    up_excerpt(value, strlen(value), ex, sizeof(ex)),
		    names[c->kind]);
	/* NaN equals nothing: the null of a float is NaN anyway. */
	c->has_null = c->kind == UP_FLOAT || c->kind == UP_DOUBLE ?
	    !isnan(c->dnull) : 1;
	return 0;
}

int
up_put_int(struct up_reader *r, int k, long long v, int elem)
{
	const struct up_col	*c = &r->cols[k];
	char			 buf[32];

	if (c->has_null && v == c->inull)
		return elem ? up_add(r, "NULL", 4) : up_put_null(r);
	snprintf(buf, sizeof(buf), "%lld", v);
	return up_add(r, buf, strlen(buf));
}

/* D as PostgreSQL reads it back: the shortest decimal that gives it. */
static void
format_real(char *buf, size_t size, double d, int single)
{
	if (isnan(d))
		snprintf(buf, size, "NaN");
	else if (isinf(d))
		snprintf(buf, size, "%s", d > 0 ? "Infinity" : "-Infinity");
	else if (single) {
		for (int p = FLT_DIG; p <= FLT_DECIMAL_DIG; p++) {
			snprintf(buf, size, "%.*g", p, d);
			if (strtof(buf, NULL) == (float)d)
				break;
		}
	} else {
		for (int p = DBL_DIG; p <= DBL_DECIMAL_DIG; p++) {
			snprintf(buf, size, "%.*g", p, d);
			if (strtod(buf, NULL) == d)
				break;
		}
	}
}

int
up_put_real(struct up_reader *r, int k, double d, int elem)
{
	const struct up_col	*c = &r->cols[k];
	char			 buf[40];

	if (c->has_null && d == c->dnull)
		return elem ? up_add(r, "NULL", 4) : up_put_null(r);
	format_real(buf, sizeof(buf), d, c->kind == UP_FLOAT);
	return up_add(r, buf, strlen(buf));
}

int
up_put_bool(struct up_reader *r, int b, int elem)
{
	if (b == -1)
		return elem ? up_add(r, "NULL", 4) : up_put_null(r);
	return up_add(r, b ? "t" : "f", 1);
}

/* --- TABLEDATA ------------------------------------------------------------ */

/* One value of column K, S[0..N) (an element of its array if ELEM). */
static int
td_value(struct up_reader *r, int k, const char *s, size_t n, int elem)
{
	static const char *const yes[] = { "T", "true", "1" };
	static const char *const no[] = { "F", "false", "0" };
	const struct up_col	*c = &r->cols[k];
	char			 ex[UP_EXCERPT];
	long long		 i = 0;
	double			 d = 0;
	int			 rc;

	switch (c->kind) {
	case UP_BOOLEAN:
		if (n == 1 && *s == '?')
			return up_put_bool(r, -1, elem);
		for (size_t w = 0; w < sizeof(yes) / sizeof(yes[0]); w++) {
			if (strlen(yes[w]) == n &&
			    strncasecmp(s, yes[w], n) == 0)
				return up_put_bool(r, 1, elem);
			if (strlen(no[w]) == n && strncasecmp(s, no[w], n) == 0)
				return up_put_bool(r, 0, elem);
		}
		break;
	case UP_BIT:
		if (n == 1 && (*s == '0' || *s == '1'))
			return up_put_bool(r, *s == '1', elem);
		break;
	default:
		if ((rc = parse_number(c->kind, s, n, &i, &d)) == -2)
			return up_fail_cell(r, k, "%s is out of range for %s.",
			    up_excerpt(s, n, ex, sizeof(ex)), names[c->kind]);
		if (rc == 0)
			return c->kind == UP_FLOAT || c->kind == UP_DOUBLE ?
			    up_put_real(r, k, d, elem) :
			    up_put_int(r, k, i, elem);
		break;
	}
	return up_fail_cell(r, k, "\"%s\" is not %s.",
	    up_excerpt(s, n, ex, sizeof(ex)), names[c->kind]);
}

int
up_td_cell(struct up_reader *r, int k, const char *s, size_t n)
{
	const struct up_col	*c = &r->cols[k];
	size_t			 tn;
	long			 ntok = 0;

	if (n == 0)
		return up_put_null(r);
	if (c->kind == UP_CHAR || c->kind == UP_UNICODE)
		return up_put_text(r, k, s, n);
	s = trim(s, &n);
	if (!c->array)
		return n == 0 ? up_put_null(r) : td_value(r, k, s, n, 0);
	/* Elements separated by blanks. */
	if (up_add(r, "{", 1) == -1)
		return -1;
	for (;; ntok++) {
		while (n > 0 && blank(*s))
			s++, n--;
		if (n == 0)
			break;
		for (tn = 0; tn < n && !blank(s[tn]); tn++)
			;
		if ((ntok > 0 && up_add(r, ",", 1) == -1) ||
		    td_value(r, k, s, tn, 1) == -1 ||
		    up_cell_long(r, k, r->line.len - r->cell_at) == -1)
			return -1;
		s += tn;
		n -= tn;
	}
	if (!c->variable && ntok != c->count)
		return up_fail_cell(r, k, "%ld values for the arraysize %s.",
		    ntok, r->t->cols[k].arraysize);
	if (up_add(r, "}", 1) == -1)
		return -1;
	return up_cell_long(r, k, r->line.len - r->cell_at);
}
