/*
 * upload_vot: a VOTable that a TAP client uploads (TAP_UPLOAD), read into
 * a table definition and PostgreSQL COPY rows.
 *
 * The module is pure: bytes in, column definitions and lines of COPY text
 * format out, no database and no I/O.  upload_vot_read() reads the first
 * TABLE of the first RESOURCE that has one (a RESOURCE in a RESOURCE
 * counts), stops there (what follows is not read, nor checked to be
 * well-formed XML) and gives each of its rows to a callback as one
 * line; the caller creates a table from T's columns (they are all known
 * before the first row comes) and sends the lines with COPY ... FROM
 * STDIN.  upload_vot_columns() reads the FIELDs only, for a caller that
 * wants the definition first.
 *
 * The XML is read by mxml as it goes (SAX), so what is held at any time is
 * one row and, for BINARY and BINARY2, one STREAM's text and the bytes of
 * a row not yet complete.  VOTable 1.1 to 1.5 are read, with any namespace
 * prefix or none, and the version is not checked.  FIELDs are the columns,
 * in order; PARAM, GROUP, FIELDref, INFO, DESCRIPTION and LINK are
 * ignored, as are the RESOURCEs and TABLEs after the first.
 *
 * Columns, by FIELD datatype and arraysize, as PostgreSQL types:
 *   boolean             boolean            boolean[] for an array
 *   bit                 boolean            (a scalar only)
 *   unsignedByte, short smallint           smallint[]
 *   int                 integer            integer[]
 *   long                bigint             bigint[]
 *   float               real               real[]
 *   double              double precision   double precision[]
 *   char, unicodeChar   text, of any one-dimensional arraysize;
 *                       timestamp when the xtype is "timestamp" (or
 *                       TAP 1.0's "adql:TIMESTAMP")
 * A numeric array ("N", "N*" or "*"; the bound N is not checked) is
 * written as an array literal, {1,2,3}, with NULL for an element equal to
 * the FIELD's VALUES null, and {} when empty: a TD of blanks only, or a
 * count of 0; arraysize="1" on a number is a scalar.
 *
 * Values.  An empty TD is NULL for every type, char included: TABLEDATA
 * cannot tell an empty string from none, so an empty string is NULL in
 * BINARY and BINARY2 too, and the three give the same lines.  A VALUES
 * null makes equal cells NULL (integers and floating point compared as
 * numbers, strings as text), in every serialization; BINARY2's null flags
 * are honoured.  NaN is a value, not NULL, as in BINARY where it is the
 * only null a float has.  TABLEDATA integers are decimal or 0x hex,
 * range-checked for their type; floating-point numbers are decimal, or
 * NaN, Inf and Infinity in any case and with a sign, and are written
 * as PostgreSQL reads them back ("NaN", "Infinity", "-Infinity", or the
 * shortest decimal that gives the same float or double).  Booleans are
 * T, F, true, false, 1 or 0 in any case, ? or empty for NULL; in binary
 * one byte, 'T' 't' '1', 'F' 'f' '0', or '?' ' ' NUL for NULL.  Text is
 * checked to be UTF-8; fixed-size char in binary ends at its first NUL,
 * and unicodeChar (UCS-2, big-endian; UTF-16 surrogate pairs accepted) is
 * turned into UTF-8.  A timestamp must be DALI's ISO 8601,
 * YYYY-MM-DD[Thh:mm:ss[.fff]] with an optional trailing Z (dropped),
 * blanks around it ignored.
 *
 * Refused, each with one sentence in WHY that names the column or row
 * (rows numbered from 1):
 *   - XML that is not well formed (mxml's words), a root other than
 *     VOTABLE, no TABLE in a RESOURCE, a TABLE with no FIELD;
 *   - more rows than max_rows, more FIELDs than max_cols, a cell longer
 *     than max_cell (see struct upload_limits);
 *   - a FIELD without a name, with one of more than UPLOAD_NAME_MAX bytes
 *     (PostgreSQL's longest identifier), or with control characters, and
 *     two FIELDs whose names are equal ignoring case (ADQL would not tell
 *     them apart);
 *   - datatypes uploads do not support: floatComplex and doubleComplex,
 *     arrays of bits, arrays of more than one dimension (strings of more
 *     than one dimension too: a text column would lose their shape);
 *   - FITS data, a STREAM given by href (the service fetches nothing on a
 *     client's behalf) or in an encoding other than base64, and a stream
 *     that is not base64 or ends inside a row;
 *   - a TR with more or fewer TDs than there are FIELDs, and an element
 *     where TABLEDATA allows none (in a TD, or other than TR and TD);
 *   - a value that is not of its column's type, out of its range, of a
 *     fixed-size array with the wrong number of elements, text that is not
 *     UTF-8, an unpaired UTF-16 surrogate, or a timestamp not in the form
 *     above.
 * Sentences quote at most 40 bytes of the upload's text, with control
 * characters as '?'.
 *
 * Ownership: the strings of T (names, datatypes, ...) belong to T and are
 * released by upload_table_free(); sqltype is static.  The line given to
 * the callback is the reader's, valid during the call only.
 */
#ifndef RIF_UPLOAD_VOT_H
#define RIF_UPLOAD_VOT_H

#include <stddef.h>

/* PostgreSQL's identifiers are at most 63 bytes (NAMEDATALEN - 1). */
#define UPLOAD_NAME_MAX	63

/* Each 0 or below: no limit. */
struct upload_limits {
	long		 max_rows;
	int		 max_cols;
	/*
	 * The bytes of one cell's text: a TD's content, or a value as the
	 * COPY line gives it, before its escapes.
	 */
	size_t		 max_cell;
};

enum upload_kind {
	UP_BOOLEAN, UP_BIT, UP_UBYTE, UP_SHORT, UP_INT, UP_LONG, UP_CHAR,
	UP_UNICODE, UP_FLOAT, UP_DOUBLE
};

struct upload_column {
	char		*name;		/* FIELD name as written */
	char		*datatype;	/* as written, e.g. "double" */
	char		*arraysize;	/* NULL: scalar; else as written */
	char		*xtype, *unit, *ucd, *utype;	/* NULL: absent */
	enum upload_kind kind;
	const char	*sqltype;	/* static: for CREATE TABLE */
};

struct upload_table {
	struct upload_column	*cols;
	int			 ncols;
	long			 nrows;		/* rows given */
};

/*
 * Called once per row with one line of PostgreSQL COPY text format: the
 * cells separated by tabs, NULL as \N, backslash, tab, newline and carriage
 * return escaped, ending in a newline (LINE[LEN] is a NUL).  Return 0, or
 * -1 to stop: the reader then fails, with the sentence the callback wrote
 * into the reader's WHY (which it empties before each call) if it wrote
 * one, or with "Row N could not be stored."
 */
typedef int	(*upload_row_fn)(void *ctx, const char *line, size_t len);

/*
 * Read the first TABLE of the VOTable in BUF[LEN] (no NUL needed) into T,
 * whose former contents are not freed, and its rows to ROW with CTX.  T's
 * columns are complete before the first row is given; T->nrows counts the
 * rows given.  0; or -1 with one sentence in WHY and T emptied (rows
 * already given were given: the caller drops what it made of them).
 * LIM may be NULL, for no limits.
 */
int	upload_vot_read(const char *buf, size_t len,
	    const struct upload_limits *lim, struct upload_table *t,
	    upload_row_fn row, void *ctx, char *why, size_t whysize);
/*
 * The same, but only as far as the FIELDs: T's columns, checked as above,
 * and no row read (nor checked).
 */
int	upload_vot_columns(const char *buf, size_t len,
	    const struct upload_limits *lim, struct upload_table *t,
	    char *why, size_t whysize);
/* Release what T holds and leave it empty; T may be all zeros. */
void	upload_table_free(struct upload_table *);

/*
 * S[0..N) for a sentence (the reader's and its callers'): at most SIZE - 4 bytes of whole UTF-8
 * characters, control characters as '?', "..." when cut.
 */
const char *up_excerpt(const char *s, size_t n, char *buf, size_t size);
#define UP_EXCERPT	44	/* 40 bytes of the upload's text */

#endif
