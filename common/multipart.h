/*
 * multipart: the parts of a multipart/form-data request body (RFC 7578,
 * with the framing of RFC 2046 §5.1.1), read from a body held in memory.
 *
 * mp_open() takes the request's Content-Type value and the body, finds the
 * boundary parameter and the first delimiter; each mp_next() then gives
 * one part: its form-data name, its filename and Content-Type when it has
 * them, and its data.  The preamble before the first delimiter and the
 * epilogue after the close delimiter are ignored.  The reader is strict and
 * bounded: a boundary of 1 to 70 characters, header lines of at most
 * MP_LINE_MAX bytes, at most MP_HEADERS_MAX of them per part, and at most
 * the number of parts the caller gives.  Any departure from the grammar is
 * refused with one sentence in the reader's why[], which quotes no more of
 * the request than a short excerpt with anything unprintable replaced.
 *
 * Nothing here allocates.  The data of a part points into the body (binary:
 * it may hold any byte, NUL included, and is not NUL-terminated), so the
 * body must outlive what the caller keeps of it.  The name, filename and
 * Content-Type are NUL-terminated strings held in the reader, valid until
 * the next mp_next(); copy what you keep.  A body can be refused after some
 * of its parts were given out: a caller that refuses the request then
 * drops what it kept of them.
 */
#ifndef RIF_MULTIPART_H
#define RIF_MULTIPART_H

#include <stddef.h>

#define MP_BOUNDARY_MAX	70	/* RFC 2046 §5.1.1 */
#define MP_LINE_MAX	998	/* a header line without its CRLF (RFC 5322) */
#define MP_HEADERS_MAX	16	/* header lines in one part */

struct mp_part {
	const char	*name;		/* Content-Disposition's name */
	const char	*filename;	/* its filename; NULL when none */
	const char	*content_type;	/* the part's; NULL when none */
	const char	*data;		/* into the body */
	size_t		 len;
};

struct mp_reader {
	const char	*pos, *end;	/* what is left of the body */
	char		 delim[MP_BOUNDARY_MAX + 5];	/* CRLF "--" boundary */
	size_t		 dlen;
	size_t		 nparts, max_parts;
	int		 done;		/* 1: closed; -1: refused */
	/* The strings of the last part given out. */
	char		 name[MP_LINE_MAX + 1];
	char		 filename[MP_LINE_MAX + 1];
	char		 ctype[MP_LINE_MAX + 1];
	char		 why[192];	/* the refusal, as one sentence */
};

/* Is the Content-Type value CTYPE multipart/form-data (any parameters)? */
int	mp_is_form_data(const char *ctype);

/*
 * Start reading BODY (LEN bytes) sent with the Content-Type value CTYPE,
 * allowing at most MAX_PARTS parts: 0, or -1 with the reason in R->why.
 */
int	mp_open(struct mp_reader *r, const char *ctype, const char *body,
	    size_t len, size_t max_parts);

/*
 * The next part into *PART: 1; 0 once the close delimiter is read; -1 with
 * the reason in R->why when the body is malformed.  After 0 or -1, every
 * later call returns the same.
 */
int	mp_next(struct mp_reader *r, struct mp_part *part);

#endif
