#include <stdint.h>
#include <string.h>

#include "upload_vot_int.h"

/*
 * BINARY and BINARY2 (VOTable 1.4 §5.4, §5.5): the STREAM's base64 decoded
 * as it comes, and each row taken as soon as its bytes are all there.  A
 * row is, for BINARY2, its null flags first (one bit a column, the first
 * in the high bit of the first byte), then every cell in its FIELD's form:
 * numbers big-endian, a variable array's 4-byte count before its elements.
 * A row whose bytes are not all there yet is read again, whole, when more
 * come; what a row's bytes say is checked as it is read, so a refusal never
 * waits for the rest of the stream.
 */

/* The bytes of one element of each kind. */
static const size_t sizes[] = {
	[UP_BOOLEAN] = 1, [UP_BIT] = 1, [UP_UBYTE] = 1, [UP_SHORT] = 2,
	[UP_INT] = 4, [UP_LONG] = 8, [UP_CHAR] = 1, [UP_UNICODE] = 2,
	[UP_FLOAT] = 4, [UP_DOUBLE] = 8
};

static uint64_t
get_be(const unsigned char *p, size_t n)
{
	uint64_t	 v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* One scalar, or element (ELEM), of column K at P. */
static int
bin_value(struct up_reader *r, int k, const unsigned char *p, int elem)
{
	union { uint32_t u; float f; } f4;
	union { uint64_t u; double d; } f8;

	switch (r->cols[k].kind) {
	case UP_BOOLEAN:
		if (*p == 'T' || *p == 't' || *p == '1')
			return up_put_bool(r, 1, elem);
		if (*p == 'F' || *p == 'f' || *p == '0')
			return up_put_bool(r, 0, elem);
		if (*p == '?' || *p == ' ' || *p == '\0')
			return up_put_bool(r, -1, elem);
		return up_fail_cell(r, k, "the byte 0x%02x is not a boolean.",
		    *p);
	case UP_BIT:
		/*
		 * The bit is the byte's highest (VOTable 1.4 §5.4); astropy
		 * sets 0x08 instead, and a conforming writer leaves the rest
		 * zero, so any bit set is true.
		 */
		return up_put_bool(r, *p != 0, elem);
	case UP_UBYTE:
		return up_put_int(r, k, *p, elem);
	case UP_SHORT:
		return up_put_int(r, k, (int16_t)get_be(p, 2), elem);
	case UP_INT:
		return up_put_int(r, k, (int32_t)get_be(p, 4), elem);
	case UP_LONG:
		return up_put_int(r, k, (int64_t)get_be(p, 8), elem);
	case UP_FLOAT:
		f4.u = (uint32_t)get_be(p, 4);
		return up_put_real(r, k, f4.f, elem);
	case UP_DOUBLE:
		f8.u = get_be(p, 8);
		return up_put_real(r, k, f8.d, elem);
	default:
		return up_fail(r, "Internal error: a text column read as a "
		    "number.");
	}
}

/* N characters of char at P: up to the first NUL, which pads. */
static int
bin_char(struct up_reader *r, int k, const unsigned char *p, size_t n)
{
	const unsigned char	*nul = memchr(p, '\0', n);

	if (nul != NULL)
		n = (size_t)(nul - p);
	return up_put_text(r, k, (const char *)p, n);
}

/* UTF-8 of code point CP onto OUT. */
static int
put_utf8(struct strbuf *out, uint32_t cp)
{
	unsigned char	 b[4];
	size_t		 n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return strbuf_add(out, b, n);
}

/*
 * N characters of unicodeChar at P, UCS-2 big-endian, into UTF-8: up to
 * the first U+0000, which pads; UTF-16's surrogate pairs are taken, but a
 * half of one alone is refused.
 */
static int
bin_unicode(struct up_reader *r, int k, const unsigned char *p, size_t n)
{
	struct strbuf	*u = &r->cell;
	uint32_t	 cp, lo;

	strbuf_reset(u);
	for (size_t i = 0; i < n; i++) {
		if ((cp = (uint32_t)get_be(p + 2 * i, 2)) == 0)
			break;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return up_fail_cell(r, k, "the text has an unpaired "
			    "UTF-16 surrogate.");
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (i + 1 == n || (lo = (uint32_t)get_be(p + 2 * i + 2,
			    2)) < 0xdc00 || lo > 0xdfff)
				return up_fail_cell(r, k, "the text has an "
				    "unpaired UTF-16 surrogate.");
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i++;
		}
		if (put_utf8(u, cp) == -1)
			return up_nomem(r);
	}
	return up_put_text(r, k, u->s != NULL ? u->s : "", u->len);
}

/*
 * Cell K at P[0..N), NUL: flagged null; its bytes in *USED.  1, 0 when
 * they are not all there, -1 (WHY set).
 */
static int
bin_cell(struct up_reader *r, int k, const unsigned char *p, size_t n,
    int null, size_t *used)
{
	const struct up_col	*c = &r->cols[k];
	size_t			 size = sizes[c->kind], count, at = 0;
	int64_t			 v;

	count = (size_t)c->count;
	if (c->variable) {
		if (n < 4)
			return 0;
		if ((v = (int32_t)get_be(p, 4)) < 0)
			return up_fail_cell(r, k, "the array length %lld is "
			    "negative.", (long long)v);
		count = (size_t)v;
		at = 4;
	}
	if (n - at < count * size)
		return 0;
	*used = at + count * size;
	p += at;
	if (null)
		return up_put_null(r) == -1 ? -1 : 1;
	if (c->kind == UP_CHAR)
		return bin_char(r, k, p, count) == -1 ? -1 : 1;
	if (c->kind == UP_UNICODE)
		return bin_unicode(r, k, p, count) == -1 ? -1 : 1;
	if (!c->array)
		return bin_value(r, k, p, 0) == -1 ? -1 : 1;
	if (up_add(r, "{", 1) == -1)
		return -1;
	for (size_t i = 0; i < count; i++)
		if ((i > 0 && up_add(r, ",", 1) == -1) ||
		    bin_value(r, k, p + i * size, 1) == -1 ||
		    up_cell_long(r, k, r->line.len - r->cell_at) == -1)
			return -1;
	if (up_add(r, "}", 1) == -1 ||
	    up_cell_long(r, k, r->line.len - r->cell_at) == -1)
		return -1;
	return 1;
}

/* The row at P[0..N), N > 0: 1 with its bytes in *USED, 0, or -1. */
static int
bin_row(struct up_reader *r, const unsigned char *p, size_t n, size_t *used)
{
	int	 ncols = r->t->ncols, rc, null;
	size_t	 at = r->b2 ? ((size_t)ncols + 7) / 8 : 0, u = 0;

	if (up_row_begin(r) == -1)
		return -1;
	if (n < at)
		return 0;
	for (int k = 0; k < ncols; k++) {
		null = r->b2 && (p[k / 8] & 0x80 >> k % 8) != 0;
		if (up_cell_begin(r, k) == -1)
			return -1;
		if ((rc = bin_cell(r, k, p + at, n - at, null, &u)) != 1)
			return rc;
		at += u;
	}
	if (up_row_end(r) == -1)
		return -1;
	*used = at;
	return 1;
}

static const char *
serialization(const struct up_reader *r)
{
	return r->b2 ? "BINARY2" : "BINARY";
}

int
up_bin_text(struct up_reader *r, const char *s, size_t n)
{
	struct strbuf	*b = &r->bin;
	size_t		 at = 0, used;
	int		 rc;

	if ((rc = b64_dec_write(&r->dec, s, n, b)) == B64_EBAD)
		return up_fail(r, "The %s stream is not valid base64.",
		    serialization(r));
	if (rc == -1)
		return up_nomem(r);
	while (at < b->len &&
	    (rc = bin_row(r, (unsigned char *)b->s + at, b->len - at,
	    &used)) == 1)
		at += used;
	if (rc == -1)
		return -1;
	/* What is left is the start of a row. */
	if (at > 0) {
		memmove(b->s, b->s + at, b->len - at);
		b->len -= at;
		b->s[b->len] = '\0';
	}
	return 0;
}

int
up_bin_end(struct up_reader *r)
{
	if (b64_dec_finish(&r->dec) == B64_EBAD)
		return up_fail(r, "The %s stream is not valid base64.",
		    serialization(r));
	if (r->bin.len > 0)
		return up_fail(r, "The %s stream ends inside row %ld.",
		    serialization(r), UP_ROW(r));
	return 0;
}
