#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The characters of the N whole groups of three bytes at S, at OUT. */
static void
groups(const unsigned char *s, size_t n, char *out)
{
	unsigned long	 v;

	for (; n > 0; n--, s += 3, out += 4) {
		v = (unsigned long)s[0] << 16 | (unsigned long)s[1] << 8 | s[2];
		out[0] = alphabet[v >> 18];
		out[1] = alphabet[v >> 12 & 63];
		out[2] = alphabet[v >> 6 & 63];
		out[3] = alphabet[v & 63];
	}
}

/* The 4 characters of the last 1 or 2 bytes at S, padded with '='. */
static void
last_group(const unsigned char *s, size_t n, char out[4])
{
	unsigned char	 g[3] = { s[0], n > 1 ? s[1] : 0, 0 };

	groups(g, 1, out);
	out[3] = '=';
	if (n == 1)
		out[2] = '=';
}

int
b64_encode(struct strbuf *out, const void *s, size_t len)
{
	const unsigned char	*p = s;
	char			 text[4 * 64];
	size_t			 n;

	for (; len >= 3; p += 3 * n, len -= 3 * n) {
		n = len / 3 < 64 ? len / 3 : 64;
		groups(p, n, text);
		if (strbuf_add(out, text, 4 * n) == -1)
			return -1;
	}
	if (len == 0)
		return 0;
	last_group(p, len, text);
	return strbuf_add(out, text, 4);
}

void
b64_init(struct b64_stream *b, struct response *r)
{
	memset(b, 0, sizeof(*b));
	b->r = r;
}

static void
flush_text(struct b64_stream *b)
{
	resp_write(b->r, b->text, b->ntext);
	b->ntext = 0;
}

/*
 * The N bytes at S, a multiple of three, into the text: as many groups
 * at once as the current line holds, then its line end.
 */
static void
put_groups(struct b64_stream *b, const unsigned char *s, size_t n)
{
	size_t	 take;

	while (n > 0) {
		take = (B64_LINE - b->column) / 4 * 3;
		if (take > n)
			take = n;
		/* A line and its end always fit after a flush. */
		if (b->ntext + take / 3 * 4 + 1 > sizeof(b->text))
			flush_text(b);
		groups(s, take / 3, b->text + b->ntext);
		b->ntext += take / 3 * 4;
		b->column += take / 3 * 4;
		if (b->column == B64_LINE) {
			b->text[b->ntext++] = '\n';
			b->column = 0;
		}
		s += take;
		n -= take;
	}
}

void
b64_write(struct b64_stream *b, const void *buf, size_t len)
{
	const unsigned char	*s = buf;
	size_t			 take;

	if (len == 0)
		return;
	if (b->nheld > 0) {
		take = 3 - b->nheld < len ? 3 - b->nheld : len;
		memcpy(b->held + b->nheld, s, take);
		b->nheld += take;
		s += take;
		len -= take;
		if (b->nheld < 3)
			return;
		put_groups(b, b->held, 3);
		b->nheld = 0;
	}
	put_groups(b, s, len - len % 3);
	memcpy(b->held, s + len - len % 3, len % 3);
	b->nheld = len % 3;
}

void
b64_finish(struct b64_stream *b)
{
	if (b->nheld > 0) {
		if (b->ntext + 5 > sizeof(b->text))
			flush_text(b);
		last_group(b->held, b->nheld, b->text + b->ntext);
		b->ntext += 4;
		b->column += 4;
	}
	if (b->column > 0) {
		b->text[b->ntext++] = '\n';
		b->column = 0;
	}
	flush_text(b);
	b->nheld = 0;
}

/* --- Decoding ------------------------------------------------------------- */

/* The value (0-63) of base64 character C; -1 for '=', -2 for a blank. */
static int
value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	if (c == '=')
		return -1;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return -2;
	return -3;
}

void
b64_dec_init(struct b64_dec *d)
{
	memset(d, 0, sizeof(*d));
}

int
b64_dec_write(struct b64_dec *d, const char *s, size_t len,
    struct strbuf *out)
{
	unsigned char	 b[3];
	size_t		 nb;
	int		 v;

	for (size_t i = 0; i < len; i++) {
		if ((v = value((unsigned char)s[i])) == -2)
			continue;
		if (v == -3 || d->done || (d->pad && v != -1))
			return B64_EBAD;
		if (v == -1) {
			/* "xx==" or "xxx=": never before the third. */
			if (d->nq < 2)
				return B64_EBAD;
			d->pad++;
			v = 0;
		}
		d->q[d->nq++] = (unsigned char)v;
		if (d->nq < 4)
			continue;
		b[0] = (unsigned char)(d->q[0] << 2 | d->q[1] >> 4);
		b[1] = (unsigned char)(d->q[1] << 4 | d->q[2] >> 2);
		b[2] = (unsigned char)(d->q[2] << 6 | d->q[3]);
		nb = 3 - (size_t)d->pad;
		if (strbuf_add(out, b, nb) == -1)
			return -1;
		d->nq = 0;
		d->done = d->pad > 0;
	}
	return 0;
}

int
b64_dec_finish(struct b64_dec *d)
{
	int	 rc = d->nq == 0 ? 0 : B64_EBAD;

	b64_dec_init(d);
	return rc;
}

int
b64_decode(struct strbuf *out, const char *s, size_t len)
{
	struct b64_dec	 d;
	int		 rc;

	b64_dec_init(&d);
	if ((rc = b64_dec_write(&d, s, len, out)) != 0)
		return rc;
	return b64_dec_finish(&d);
}
