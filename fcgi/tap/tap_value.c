#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tap_value.h"
#include "votable.h"

/* The length of the decimal number S starts with, or 0 if none does. */
static size_t
number_len(const char *s)
{
	size_t	 i = 0, j, digits;

	if (s[i] == '-' || s[i] == '+')
		i++;
	digits = strspn(s + i, "0123456789");
	i += digits;
	if (s[i] == '.') {
		j = strspn(s + i + 1, "0123456789");
		digits += j;
		i += 1 + j;
	}
	if (digits == 0)
		return 0;
	if (s[i] == 'e' || s[i] == 'E') {
		j = i + 1;
		if (s[j] == '-' || s[j] == '+')
			j++;
		if (isdigit((unsigned char)s[j]))
			i = j + strspn(s + j, "0123456789");
	}
	return i;
}

/* Is F declared as an array other than of characters? */
static int
is_array(const struct adql_field *f)
{
	return f->arraysize != NULL && f->datatype != NULL &&
	    strcmp(f->datatype, "char") != 0 &&
	    strcmp(f->datatype, "unicodeChar") != 0;
}

enum tap_cell
tap_cell_kind(const struct adql_field *f)
{
	if ((f->type == ADQL_T_INT || f->type == ADQL_T_REAL ||
	    f->type == ADQL_T_STR) && is_array(f))
		return CELL_ARRAY;
	if (f->datatype != NULL && strcmp(f->datatype, "boolean") == 0)
		return f->arraysize != NULL ? CELL_ARRAY : CELL_BOOL;
	if (f->datatype != NULL && strcmp(f->datatype, "bit") == 0 &&
	    f->arraysize == NULL)
		return CELL_BIT;
	switch (f->type) {
	case ADQL_T_INT:
		return CELL_INT;
	case ADQL_T_REAL:
		return CELL_REAL;
	case ADQL_T_TIME:
		return CELL_TIME;
	case ADQL_T_POINT:
		return CELL_POINT;
	case ADQL_T_CIRCLE:
		return CELL_CIRCLE;
	case ADQL_T_POLY:
		return CELL_POLY;
	default:
		return CELL_TEXT;
	}
}

/*
 * The numbers of pgSphere's degree output, in order, each written to OUT
 * after a blank; their count, or -1 when something else is in the text.
 * A number is copied as pgSphere printed it (a sign, digits, a point, an
 * exponent), never converted: every row of a large answer has a polygon.
 */
static int
numbers(const char *s, struct strbuf *out)
{
	size_t	 len;
	int	 n = 0;

	while (*s != '\0') {
		if (strchr("{}()<>, d", *s) != NULL) {
			s++;
			continue;
		}
		len = number_len(s);
		if (len == 0 || strbuf_puts(out, " ") == -1 ||
		    strbuf_add(out, s, len) == -1)
			return -1;
		s += len;
		n++;
	}
	return n;
}

/*
 * A box's two corners (lower left, upper right) as the polygon through its
 * four corners, counter-clockwise.
 */
static const char *
box_polygon(const char *corners, struct strbuf *out)
{
	const char	*v[4], *p = corners;
	size_t		 len[4];
	int		 i;

	for (i = 0; i < 4; i++) {
		p++;			/* the blank */
		v[i] = p;
		len[i] = strcspn(p, " ");
		p += len[i];
	}
	strbuf_reset(out);
	if (strbuf_printf(out, " %.*s %.*s %.*s %.*s %.*s %.*s %.*s %.*s",
	    (int)len[0], v[0], (int)len[1], v[1], (int)len[2], v[2],
	    (int)len[1], v[1], (int)len[2], v[2], (int)len[3], v[3],
	    (int)len[0], v[0], (int)len[3], v[3]) == -1)
		return NULL;
	return strbuf_str(out);
}

static const char *
geometry(enum tap_cell kind, int stcs, const char *pg, struct strbuf *out)
{
	static const char *const heads[] = {
		[CELL_POINT] = "Position ICRS", [CELL_CIRCLE] = "Circle ICRS",
		[CELL_POLY] = "Polygon ICRS"
	};
	struct strbuf	 nums = STRBUF_INIT;
	const char	*text;
	int		 n, ok;

	n = numbers(pg, &nums);
	switch (kind) {
	case CELL_POINT:
		ok = n == 2;
		break;
	case CELL_CIRCLE:
		ok = n == 3;
		break;
	default:
		/* A box prints as its two corners, in double parentheses. */
		if (n == 4 && strncmp(pg, "((", 2) == 0) {
			if (box_polygon(strbuf_str(&nums), out) == NULL) {
				strbuf_free(&nums);
				return NULL;
			}
			strbuf_reset(&nums);
			strbuf_puts(&nums, strbuf_str(out));
			n = 8;
		}
		ok = n >= 6 && n % 2 == 0;
		break;
	}
	strbuf_reset(out);
	if (!ok || (stcs && strbuf_puts(out, heads[kind]) == -1) ||
	    strbuf_puts(out, strbuf_str(&nums) + (stcs ? 0 : 1)) == -1)
		text = NULL;
	else
		text = strbuf_str(out);
	strbuf_free(&nums);
	return text;
}

/* PostgreSQL's ISO timestamp as DALI's: a T, and no zone (it is UTC). */
static const char *
timestamp(const char *pg, struct strbuf *out)
{
	size_t	 n = strlen(pg);

	/* infinity, -infinity, and years past 9999 or BC have no DALI form */
	if (n < 10 || !isdigit((unsigned char)pg[0]) || pg[4] != '-' ||
	    (n > 10 && pg[10] != ' '))
		return NULL;
	if (n > 3 && (strcmp(pg + n - 3, "+00") == 0))
		n -= 3;
	else if (n > 6 && strcmp(pg + n - 6, "+00:00") == 0)
		n -= 6;
	strbuf_reset(out);
	if (strbuf_add(out, pg, n) == -1)
		return NULL;
	if (n > 10)
		out->s[10] = 'T';
	return strbuf_str(out);
}

/* One element of a PostgreSQL array, as VOTable writes it. */
static int
element(const char *e, size_t n, struct strbuf *out)
{
	char		 buf[64];
	const char	*v;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, e, n);
	buf[n] = '\0';
	if (strcmp(buf, "t") == 0 || strcmp(buf, "f") == 0)
		return strbuf_puts(out, buf[0] == 't' ? "T" : "F");
	/* NULL has no place in a VOTable array but as a float's NaN. */
	if (strcmp(buf, "NULL") == 0)
		return strbuf_puts(out, "NaN");
	/* A number as PostgreSQL prints one, or its words for the others. */
	if (number_len(buf) != n && strcmp(buf, "NaN") != 0 &&
	    strcmp(buf, "Infinity") != 0 && strcmp(buf, "-Infinity") != 0)
		return -1;
	if ((v = vot_pg_double(buf)) == NULL)
		return -1;
	return strbuf_puts(out, v);
}

/* "{1,2,3}" as "1 2 3"; NULL for anything else (nested arrays too). */
static const char *
array(const char *pg, struct strbuf *out)
{
	const char	*p = pg + 1;
	size_t		 n;

	strbuf_reset(out);
	if (pg[0] != '{' || strchr(p, '{') != NULL)
		return NULL;
	while (*p != '}') {
		n = strcspn(p, ",}");
		if (n == 0 || p[n] == '\0' || (out->len > 0 &&
		    strbuf_puts(out, " ") == -1) || element(p, n, out) == -1)
			return NULL;
		p += n + (p[n] == ',');
	}
	return p[1] == '\0' && strbuf_puts(out, "") == 0 ?
	    strbuf_str(out) : NULL;
}

const char *
tap_cell_text(enum tap_cell kind, int stcs, const char *pg,
    struct strbuf *out)
{
	switch (kind) {
	case CELL_REAL:
		return vot_pg_double(pg);
	case CELL_TIME:
		return timestamp(pg, out);
	case CELL_BOOL:
	case CELL_BIT:
		if (strcmp(pg, "t") != 0 && strcmp(pg, "f") != 0)
			return NULL;
		return kind == CELL_BIT ? (*pg == 't' ? "1" : "0") :
		    (*pg == 't' ? "T" : "F");
	case CELL_ARRAY:
		return array(pg, out);
	case CELL_POINT:
	case CELL_CIRCLE:
	case CELL_POLY:
		return geometry(kind, stcs, pg, out);
	default:
		return pg;
	}
}
