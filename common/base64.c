#include <string.h>

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 4 characters of N (1 to 3) bytes at S, padded with '='. */
static void
group(const unsigned char *s, size_t n, char out[4])
{
	unsigned long	 v = (unsigned long)s[0] << 16;

	if (n > 1)
		v |= (unsigned long)s[1] << 8;
	if (n > 2)
		v |= s[2];
	out[0] = alphabet[v >> 18 & 63];
	out[1] = alphabet[v >> 12 & 63];
	out[2] = n > 1 ? alphabet[v >> 6 & 63] : '=';
	out[3] = n > 2 ? alphabet[v & 63] : '=';
}

int
b64_encode(struct strbuf *out, const void *s, size_t len)
{
	const unsigned char	*p = s;
	char			 g[4];
	size_t			 i;

	for (i = 0; i < len; i += 3) {
		group(p + i, len - i < 3 ? len - i : 3, g);
		if (strbuf_add(out, g, sizeof(g)) == -1)
			return -1;
	}
	return 0;
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

/* One group of N bytes into the text, breaking the line where it is full. */
static void
put_group(struct b64_stream *b, const unsigned char *s, size_t n)
{
	/* A group and a line end always fit after a flush. */
	if (b->ntext + 5 > sizeof(b->text))
		flush_text(b);
	group(s, n, b->text + b->ntext);
	b->ntext += 4;
	b->column += 4;
	if (b->column == B64_LINE) {
		b->text[b->ntext++] = '\n';
		b->column = 0;
	}
}

void
b64_write(struct b64_stream *b, const void *buf, size_t len)
{
	const unsigned char	*s = buf;
	unsigned char		 g[3];
	size_t			 take;

	if (b->nheld > 0) {
		take = 3 - b->nheld < len ? 3 - b->nheld : len;
		memcpy(g, b->held, b->nheld);
		memcpy(g + b->nheld, s, take);
		s += take;
		len -= take;
		if (b->nheld + take < 3) {
			memcpy(b->held, g, b->nheld + take);
			b->nheld += take;
			return;
		}
		put_group(b, g, 3);
		b->nheld = 0;
	}
	for (; len >= 3; s += 3, len -= 3)
		put_group(b, s, 3);
	memcpy(b->held, s, len);
	b->nheld = len;
}

void
b64_finish(struct b64_stream *b)
{
	if (b->nheld > 0)
		put_group(b, b->held, b->nheld);
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
