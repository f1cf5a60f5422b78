/*
 * base64: RFC 4648 base64 (the standard alphabet, with padding).
 *
 * b64_encode() turns a buffer into text at once.  A b64_stream turns
 * bytes into text as they are given, however they are cut, and sends the
 * text to a response: it holds only the 0 to 2 bytes that do not yet make
 * a group of three and a fixed buffer of text, so what it encodes is never
 * held whole.  Its text has a line end after every 76 characters (RFC
 * 2045's line length), which XML consumers of base64 ignore.
 *
 * The caller owns the stream and the response; b64_finish() writes what
 * is held, with padding, and leaves the stream ready for another text.
 */
#ifndef RIF_BASE64_H
#define RIF_BASE64_H

#include <stddef.h>

#include "response.h"
#include "strbuf.h"

#define B64_LINE	76
/* Whole lines of text and their line ends, and room for a group. */
#define B64_TEXT	(8 * (B64_LINE + 1))

struct b64_stream {
	struct response	*r;
	unsigned char	 held[2];	/* bytes short of a group of three */
	size_t		 nheld;
	char		 text[B64_TEXT];	/* written on when full */
	size_t		 ntext;
	size_t		 column;	/* characters on the current line */
};

void	b64_init(struct b64_stream *, struct response *);
void	b64_write(struct b64_stream *, const void *, size_t);
/* The held bytes as a padded group, a line end, and all text written. */
void	b64_finish(struct b64_stream *);

/* The base64 of LEN bytes at S appended to OUT, on one line; -1 on ENOMEM. */
int	b64_encode(struct strbuf *out, const void *s, size_t len);

#endif
