/*
 * tap_b2: result rows as VOTable 1.4 BINARY2 (§5.4, §5.5), in base64 as
 * they come.
 *
 * A row is its null flags, one bit a column with the first column in the
 * high bit of the first byte, then every cell in the form its FIELD
 * declares: integers and floating-point numbers big-endian, booleans as
 * 'T', 'F' or '?', char as bytes and unicodeChar as UTF-16BE, bit packed
 * from the high bit; an array of fixed size has exactly its elements,
 * a variable one ("*", "N*", "AxB*") a 4-byte count of them first.  A null
 * cell of fixed size still fills its bytes (zeros, NaN, '?').
 *
 * A cell comes in the text TABLEDATA would hold (tap_cell_text), and is
 * parsed strictly as its datatype: a value that is not one is refused,
 * never written approximately.  A number may also come as one (read from
 * PostgreSQL's binary COPY, tap_b2pg.h), to the same bytes.  A row is
 * built whole first and sent only when every cell was taken, so a refusal
 * leaves the stream at a row boundary.
 *
 * A string column of bounded variable size ("N*") is declared "*": astropy
 * before 7.1 reads "N*" strings in BINARY2 as N bytes each (astropy issue
 * 18099) and so finds no rows at all; "*" is read right by every reader
 * and loses only the bound.
 *
 * The caller owns the response; struct tap_b2 owns its column plans and
 * its row buffer until tap_b2_free().
 */
#ifndef RIF_TAP_B2_H
#define RIF_TAP_B2_H

#include "adql_check.h"
#include "base64.h"
#include "response.h"
#include "strbuf.h"

struct b2_type;

/* How the cells of one column are written. */
struct tap_b2_col {
	const struct b2_type	*type;
	long			 count;		/* elements, or a variable
						   array's fixed part; 1 for
						   a scalar */
	int			 variable;	/* a count goes first */
	int			 scalar;	/* no arraysize at all */
	int			 bounded;	/* "N*" */
};

/*
 * The plan for DATATYPE with ARRAYSIZE (NULL: a scalar); -1 when VOTable
 * has no such datatype or the arraysize is malformed.
 */
int	tap_b2_col(struct tap_b2_col *, const char *datatype,
	    const char *arraysize);
/* The arraysize to declare for such a column, declared ARRAYSIZE. */
const char *tap_b2_arraysize(const struct tap_b2_col *, const char *arraysize);
/*
 * Cell TEXT (NULL: null) of such a column appended to OUT; -1 when TEXT
 * is not of the column's datatype and size, or memory ran out.
 */
int	tap_b2_put(const struct tap_b2_col *, const char *text,
	    struct strbuf *out);
/*
 * Does such a column take its cells as numbers, with no text between: a
 * scalar of an integer datatype as integers, of float or double as
 * doubles?  A number gives the bytes its decimal text would; every NaN is
 * written alike, as the text "NaN" would be.
 */
int	tap_b2_takes_int(const struct tap_b2_col *);
int	tap_b2_takes_real(const struct tap_b2_col *);
/*
 * A cell V or D of such a column appended to OUT; -1 when it is beyond
 * the datatype's range (as its text would be refused), or memory ran out.
 */
int	tap_b2_put_int(const struct tap_b2_col *, long long v,
	    struct strbuf *out);
int	tap_b2_put_real(const struct tap_b2_col *, double d,
	    struct strbuf *out);

struct tap_b2 {
	struct tap_b2_col	*cols;
	int			 ncols;
	struct strbuf		 row;
	struct b64_stream	 b64;
};

/*
 * Plans for FIELDS (NFIELDS), the rows to go to R; -1 with WHY set when
 * a column cannot be written so, or memory ran out.
 */
int	tap_b2_init(struct tap_b2 *, const struct adql_field *fields,
	    int nfields, struct response *r, char *why, size_t whysize);
void	tap_b2_free(struct tap_b2 *);
/* A new row, all its null flags clear; -1 when memory ran out. */
int	tap_b2_row_begin(struct tap_b2 *);
/* Cell K of the row: tap_b2_put(), and the null flag for a NULL TEXT. */
int	tap_b2_cell(struct tap_b2 *, int k, const char *text);
/* Cell K of the row, not null, as a number: tap_b2_put_int(), _real(). */
int	tap_b2_cell_int(struct tap_b2 *, int k, long long v);
int	tap_b2_cell_real(struct tap_b2 *, int k, double d);
/* The row, into the stream. */
void	tap_b2_row_end(struct tap_b2 *);
/* The end of the stream: the last bytes and their padding sent. */
void	tap_b2_finish(struct tap_b2 *);

#endif
