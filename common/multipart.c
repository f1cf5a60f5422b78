#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"

#define EXCERPT_MAX	24	/* bytes of a header line quoted in a refusal */

/*
 * RFC 2046 §5.1.1's bchars are letters, digits and '()+_,-./:=? ; STIL
 * (TOPCAT, taplint) sends "<<<---...MULTIPART-BOUNDARY--->>>", so any
 * printable ASCII is taken.  A space may not end the boundary.
 */
static int
boundary_chars(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] < ' ' || b[i] > '~')
			return 0;
	return b[n - 1] != ' ';
}

enum {
	SEEN_DISPOSITION = 1,
	SEEN_TYPE = 2
};

static int	refuse(struct mp_reader *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
refuse(struct mp_reader *r, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	r->done = -1;
	return -1;
}

/* RFC 9110 tchar: what names and tokens are made of. */
static int
is_tchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

/* A byte a header line may hold: HT, SP, VCHAR and obs-text. */
static int
is_text(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * The first N bytes NEEDLE in S..END, or NULL.  Linear for the needles
 * used here, CRLF and CRLF "--" boundary, whose first byte is theirs only:
 * the bytes a candidate matched hold no other place to start.
 */
static const char *
find(const char *s, const char *end, const char *needle, size_t n)
{
	while ((size_t)(end - s) >= n) {
		s = memchr(s, needle[0], (size_t)(end - s) - n + 1);
		if (s == NULL || memcmp(s, needle, n) == 0)
			return s;
		s++;
	}
	return NULL;
}

static const char *
skip_ows(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *
token_end(const char *s, const char *end)
{
	while (s < end && is_tchar((unsigned char)*s))
		s++;
	return s;
}

/* Is S..END the word WORD, in any case? */
static int
is_word(const char *s, const char *end, const char *word)
{
	size_t	 n = strlen(word);

	return (size_t)(end - s) == n && strncasecmp(s, word, n) == 0;
}

/* S..END for a message: at most EXCERPT_MAX bytes, unprintables as '?'. */
static const char *
excerpt(char *buf, const char *s, const char *end)
{
	size_t	 n = (size_t)(end - s), i;
	int	 cut = n > EXCERPT_MAX;

	if (cut)
		n = EXCERPT_MAX - 3;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] :
		    '?';
	strcpy(buf + n, cut ? "..." : "");
	return buf;
}

static void
put(char *out, size_t size, size_t *n, char c)
{
	if (out != NULL && *n + 1 < size)
		out[*n] = c;
	(*n)++;
}

/*
 * The value of a parameter at S: a token, or a quoted-string whose
 * backslash escapes are undone.  Its first SIZE - 1 bytes go into OUT
 * (unless NULL), NUL-terminated, and its whole length into *LEN; the end
 * of the value, or NULL when it is malformed.
 */
static const char *
param_value(const char *s, const char *end, char *out, size_t size,
    size_t *len)
{
	const char	*t;
	size_t		 n = 0;

	if (s == end)
		return NULL;
	if (*s != '"') {
		if ((t = token_end(s, end)) == s)
			return NULL;
		while (s < t)
			put(out, size, &n, *s++);
	} else {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && ++s == end)
				return NULL;
			if (!is_text((unsigned char)*s))
				return NULL;
			put(out, size, &n, *s);
		}
		if (s++ == end)
			return NULL;
	}
	if (out != NULL)
		out[n < size ? n : size - 1] = '\0';
	*len = n;
	return s;
}

/*
 * The next ";" NAME "=" of a parameter list at *S (OWS around the ';'):
 * 1 with the name in *NAME..*NEND and *S after the '='; 0 at the end of
 * the list; -1 when it is malformed.
 */
static int
next_param(const char **s, const char *end, const char **name,
    const char **nend)
{
	const char	*p = skip_ows(*s, end), *t;

	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	p = skip_ows(p + 1, end);
	t = token_end(p, end);
	if (t == p || t == end || *t != '=')
		return -1;
	*name = p;
	*nend = t;
	*s = t + 1;
	return 1;
}

int
mp_is_form_data(const char *ctype)
{
	static const char	 mt[] = "multipart/form-data";
	size_t			 n = sizeof(mt) - 1;

	return strncasecmp(ctype, mt, n) == 0 && (ctype[n] == '\0' ||
	    ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t');
}

/* The boundary parameter of the Content-Type CTYPE, as R->delim. */
static int
boundary(struct mp_reader *r, const char *ctype)
{
	const char	*s = ctype + strlen("multipart/form-data");
	const char	*end = s + strlen(s), *name, *nend;
	char		 b[MP_BOUNDARY_MAX + 1];
	size_t		 blen = 0, n;
	int		 found = 0, rc;

	while ((rc = next_param(&s, end, &name, &nend)) == 1) {
		if (is_word(name, nend, "boundary")) {
			if (found++)
				break;
			s = param_value(s, end, b, sizeof(b), &blen);
		} else
			s = param_value(s, end, NULL, 0, &n);
		if (s == NULL)
			break;
	}
	if (rc != 0)
		return refuse(r, "multipart/form-data Content-Type has "
		    "malformed parameters");
	if (!found)
		return refuse(r, "multipart/form-data Content-Type has no "
		    "boundary parameter");
	if (blen == 0 || blen > MP_BOUNDARY_MAX)
		return refuse(r, "multipart boundary is not 1 to %d characters "
		    "long", MP_BOUNDARY_MAX);
	if (!boundary_chars(b, blen))
		return refuse(r, "multipart boundary has a character other "
		    "than printable ASCII, or ends in a blank");
	memcpy(r->delim, "\r\n--", 4);
	memcpy(r->delim + 4, b, blen);
	r->dlen = blen + 4;
	return 0;
}

int
mp_open(struct mp_reader *r, const char *ctype, const char *body, size_t len,
    size_t max_parts)
{
	const char	*d;

	memset(r, 0, sizeof(*r));
	r->end = body + len;
	r->max_parts = max_parts;
	if (!mp_is_form_data(ctype))
		return refuse(r, "request body is not multipart/form-data");
	if (boundary(r, ctype) == -1)
		return -1;
	/* At the very start the first delimiter has no CRLF before it. */
	if (len >= r->dlen - 2 && memcmp(body, r->delim + 2, r->dlen - 2) == 0)
		r->pos = body + r->dlen - 2;
	else if ((d = find(body, r->end, r->delim, r->dlen)) != NULL)
		r->pos = d + r->dlen;
	else
		return refuse(r, "multipart body does not contain its boundary");
	return 0;
}

/*
 * What follows a delimiter's boundary: "--" for the close delimiter, then
 * transport padding, then CRLF (or, after the close, the end of the body).
 */
static int
delimiter_end(struct mp_reader *r)
{
	const char	*s = r->pos, *end = r->end;
	int		 close = 0;

	if (end - s >= 2 && s[0] == '-' && s[1] == '-') {
		close = 1;
		s += 2;
	}
	s = skip_ows(s, end);
	if (!close && (s == end || (end - s == 1 && *s == '\r')))
		return refuse(r, "multipart body ends before its close "
		    "delimiter");
	if (s != end && (end - s < 2 || s[0] != '\r' || s[1] != '\n'))
		return refuse(r, "multipart body has a malformed delimiter "
		    "line");
	if (close)
		r->done = 1;	/* and the epilogue is ignored */
	else
		r->pos = s + 2;
	return 0;
}

/* Content-Disposition: form-data, with a name and maybe a filename. */
static int
disposition(struct mp_reader *r, const char *s, const char *end,
    struct mp_part *part)
{
	const char	*t = token_end(s, end), *name, *nend, **to;
	char		*out;
	size_t		 n;
	int		 rc;

	if (t == s || !is_word(s, t, "form-data"))
		return refuse(r, "multipart part %zu has a Content-Disposition "
		    "other than form-data", r->nparts);
	for (s = t; (rc = next_param(&s, end, &name, &nend)) == 1; ) {
		out = NULL;
		to = NULL;
		if (is_word(name, nend, "name"))
			out = r->name, to = &part->name;
		else if (is_word(name, nend, "filename"))
			out = r->filename, to = &part->filename;
		if ((to != NULL && *to != NULL) ||
		    (s = param_value(s, end, out, MP_LINE_MAX + 1, &n)) == NULL)
			break;
		if (to != NULL)
			*to = out;
	}
	if (rc != 0)
		return refuse(r, "multipart part %zu has a malformed "
		    "Content-Disposition header", r->nparts);
	if (part->name == NULL)
		return refuse(r, "multipart part %zu has a Content-Disposition "
		    "without a name", r->nparts);
	return 0;
}

static int
once(struct mp_reader *r, unsigned *seen, unsigned bit, const char *name)
{
	if (*seen & bit)
		return refuse(r, "multipart part %zu has more than one %s header",
		    r->nparts, name);
	*seen |= bit;
	return 0;
}

/* One header line, S..EOL (no CRLF), of the current part. */
static int
header(struct mp_reader *r, const char *s, const char *eol,
    struct mp_part *part, unsigned *seen)
{
	const char	*colon = token_end(s, eol), *v, *vend;
	char		 ex[EXCERPT_MAX + 1];

	for (v = s; v < eol && is_text((unsigned char)*v); v++)
		continue;
	if (colon == s || colon == eol || *colon != ':' || v < eol)
		return refuse(r, "multipart part %zu has a malformed header "
		    "line '%s'", r->nparts, excerpt(ex, s, eol));
	v = skip_ows(colon + 1, eol);
	for (vend = eol; vend > v && (vend[-1] == ' ' || vend[-1] == '\t'); )
		vend--;
	if (is_word(s, colon, "Content-Disposition"))
		return once(r, seen, SEEN_DISPOSITION, "Content-Disposition") ?
		    -1 : disposition(r, v, vend, part);
	if (is_word(s, colon, "Content-Type")) {
		if (once(r, seen, SEEN_TYPE, "Content-Type") == -1)
			return -1;
		memcpy(r->ctype, v, (size_t)(vend - v));
		r->ctype[vend - v] = '\0';
		part->content_type = r->ctype;
		return 0;
	}
	/* Data in base64 or quoted-printable would be kept undecoded. */
	if (is_word(s, colon, "Content-Transfer-Encoding") &&
	    !is_word(v, vend, "binary") && !is_word(v, vend, "8bit") &&
	    !is_word(v, vend, "7bit"))
		return refuse(r, "multipart part %zu has a "
		    "Content-Transfer-Encoding other than 7bit, 8bit or binary",
		    r->nparts);
	return 0;
}

/*
 * The header lines of the part that runs from S to END, into PART: where
 * its data starts, or NULL when they are malformed.  Headers that end
 * without an empty line leave the part no data (RFC 2046's body-part).
 */
static const char *
headers(struct mp_reader *r, const char *s, const char *end,
    struct mp_part *part)
{
	const char	*eol;
	size_t		 n, nlines = 0;
	unsigned	 seen = 0;

	while (s < end) {
		n = (size_t)(end - s);
		if (n > MP_LINE_MAX + 2)
			n = MP_LINE_MAX + 2;
		if ((eol = find(s, s + n, "\r\n", 2)) == NULL) {
			if (n == MP_LINE_MAX + 2)
				refuse(r, "multipart part %zu has a header line "
				    "longer than %d bytes", r->nparts,
				    MP_LINE_MAX);
			else
				refuse(r, "multipart part %zu ends inside its "
				    "headers", r->nparts);
			return NULL;
		}
		if (eol == s) {
			s += 2;
			break;
		}
		if (++nlines > MP_HEADERS_MAX) {
			refuse(r, "multipart part %zu has more than %d header "
			    "lines", r->nparts, MP_HEADERS_MAX);
			return NULL;
		}
		if (header(r, s, eol, part, &seen) == -1)
			return NULL;
		s = eol + 2;
	}
	if (!(seen & SEEN_DISPOSITION)) {
		refuse(r, "multipart part %zu has no Content-Disposition header",
		    r->nparts);
		return NULL;
	}
	return s;
}

int
mp_next(struct mp_reader *r, struct mp_part *part)
{
	const char	*next;

	if (r->done == 0 && delimiter_end(r) == -1)
		return -1;
	if (r->done != 0)
		return r->done > 0 ? 0 : -1;
	if (r->nparts == r->max_parts)
		return refuse(r, "multipart body has more than %zu parts",
		    r->max_parts);
	r->nparts++;
	next = find(r->pos, r->end, r->delim, r->dlen);
	if (next == NULL)
		return refuse(r, "multipart body ends before its close "
		    "delimiter");
	memset(part, 0, sizeof(*part));
	if ((part->data = headers(r, r->pos, next, part)) == NULL)
		return -1;
	part->len = (size_t)(next - part->data);
	r->pos = next + r->dlen;
	return 1;
}
