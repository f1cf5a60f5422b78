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
 *
 * The other way, b64_decode() turns text into bytes at once, and a
 * b64_dec does so as the text is given, however it is cut (a STREAM of
 * VOTable BINARY that XML hands over in pieces).  Both skip whitespace
 * (space, tab, CR, LF) anywhere, which line breaks put in, and refuse any
 * other byte outside the alphabet, '=' anywhere but at the end of the last
 * group of four, and a text that stops inside a group: RFC 4648's strict
 * reading, but for the line breaks.  The padding bits of the last group are
 * not checked.
 */
#ifndef RIF_BASE64_H
#define RIF_BASE64_H

#include <stddef.h>

#include "response.h"
#include "strbuf.h"

#define B64_LINE	76
/* Whole lines of text and their line ends, sent together. */
#define B64_TEXT	(64 * (B64_LINE + 1))

struct b64_stream {
	struct response	*r;
	unsigned char	 held[3];	/* bytes short of a group of three */
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

/* What b64_decode() and b64_dec_*() return for text that is not base64. */
#define B64_EBAD	(-2)

struct b64_dec {
	unsigned char	 q[4];		/* a group's values so far */
	size_t		 nq;
	int		 pad;		/* '=' seen: '=', blanks follow */
	int		 done;		/* a padded group ended it */
};

void	b64_dec_init(struct b64_dec *);
/*
 * The bytes of LEN characters at S appended to OUT, but for those of a
 * group not yet complete, which are held; 0, B64_EBAD, or -1 on ENOMEM.
 */
int	b64_dec_write(struct b64_dec *, const char *s, size_t len,
	    struct strbuf *out);
/* 0, or B64_EBAD when the text stopped inside a group. */
int	b64_dec_finish(struct b64_dec *);
/* The bytes of the text S (LEN characters) appended to OUT, at once. */
int	b64_decode(struct strbuf *out, const char *s, size_t len);

#endif
