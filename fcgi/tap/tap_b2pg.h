/*
 * tap_b2pg: a query's rows for BINARY2 as PostgreSQL's COPY ... TO STDOUT
 * (FORMAT binary) sends them: its numbers reach the stream as numbers,
 * neither printed by PostgreSQL nor parsed again by tap_b2, and libpq
 * makes no result of each row.
 *
 * In binary every cell is what its type's send function writes, so the
 * statement is described first and each column read as it can be
 * (tap_b2pg_how()): a cell of int2, int4 or int8 in a column declared as
 * a VOTable integer, or of float8 in one declared float or double, is the
 * number itself, big-endian; one of text, varchar, bpchar or name is its
 * text.  Any other column (times; pgSphere's geometry, which has no binary
 * form; numeric, booleans, arrays, a number declared otherwise) the
 * database prints: the statement is wrapped in one that gives it as
 * format('%s', c), its type's own output function, the very text a text
 * result carries.  So tap_b2 sees every value as before and writes the
 * same bytes.
 *
 * A struct tap_b2pg_rows owns its buffers and the row it hands out, until
 * the next; the query it starts is the db's, ended by db_end() or
 * db_cancel() as any other.
 */
#ifndef RIF_TAP_B2PG_H
#define RIF_TAP_B2PG_H

#include <libpq-fe.h>

#include "adql_check.h"
#include "db.h"
#include "strbuf.h"
#include "tap_b2.h"
#include "tap_value.h"

/*
 * An answer of at most so many rows (a statement whose LIMIT is at most
 * one more, MAXREC's overflow row) is read as text, as before: describing
 * the statement first costs two round trips and a parse, about 0.15 ms a
 * query, a quarter of the requests a small query's worker can answer.  So
 * the queries of the default MAXREC (10,000), a cone or a lookup, cost
 * what they did, and only those that ask for more rows, a large answer's,
 * pay it; a COPY saves the worker about 2 us a row of ObsCore.
 */
#define TAP_B2PG_ROWS	10000

/* How the cells of a column come. */
enum tap_b2pg {
	B2PG_TEXT,	/* as text: tap_cell_text(), then tap_b2_cell() */
	B2PG_INT,	/* an integer: tap_b2pg_int(), tap_b2_cell_int() */
	B2PG_REAL,	/* a float8: tap_b2pg_real(), tap_b2_cell_real() */
	B2PG_PRINT	/* none of those: to be printed by the database */
};

/* For a column of PostgreSQL type TYPE whose cells are KIND, written as C. */
enum tap_b2pg	 tap_b2pg_how(Oid type, enum tap_cell kind,
		    const struct tap_b2_col *c);

/* A row: its cells, each followed by a zero byte; NULL for a null. */
struct tap_b2pg_row {
	const char *const	*v;
	const int		*len;
	const enum tap_b2pg	*how;	/* of each column */
};

struct tap_b2pg_rows {
	struct db		*db;
	int			 copying;	/* 0: db_next() has the rows */
	int			 ncols;
	enum tap_b2pg		*how;
	const char		**v;
	int			*len;
	size_t			*at;		/* where each cell starts */
	int			 part;		/* the header, rows, the end */
	const char		*p;		/* the rest of the last piece */
	size_t			 n;
	struct strbuf		 held;		/* data short of a whole part */
	struct strbuf		 cells;		/* the current row's */
	struct tap_b2pg_row	 row;
};

/*
 * The COPY of SQL, whose columns are FIELDS (NFIELDS) and DESC describes
 * (db_describe_sql()), into OUT, wrapped where the database is to print
 * columns, and how each column comes into HOW (NFIELDS); -1 when DESC
 * does not match FIELDS or memory ran out.
 */
int		 tap_b2pg_sql(const char *sql, const PGresult *desc,
		    const struct adql_field *fields, int nfields,
		    enum tap_b2pg *how, struct strbuf *out);

/*
 * Start SQL, the statement of FIELDS (NFIELDS), on DB, for R: as a COPY,
 * or with its rows in text (R->copying 0, db_start_sql()) when memory
 * runs out for that; how db_start_sql() would end.  R is to be freed
 * whatever the outcome.
 */
enum db_status	 tap_b2pg_start(struct tap_b2pg_rows *r, struct db *,
		    const char *sql, const struct adql_field *fields,
		    int nfields);
/*
 * The next row, or NULL at the end or on failure, *ST telling which
 * (DB_OK at a normal end); data that is not the COPY expected is DB_ERROR.
 */
const struct tap_b2pg_row *tap_b2pg_next(struct tap_b2pg_rows *,
		    enum db_status *st);
void		 tap_b2pg_free(struct tap_b2pg_rows *);

/*
 * The rows of COPY data given a piece at a time, however it is cut (what
 * tap_b2pg_next() does with db_copy_out_next()'s pieces, and tests with
 * their own).  tap_b2pg_rows_init() sets R up for NCOLS columns that come
 * as HOW says; tap_b2pg_give() hands it the next PIECE (LEN bytes), which
 * must stay as it is until tap_b2pg_take() returns NULL again: a row
 * while whole ones are there, then NULL, with *BAD set when the data is
 * not a COPY of such rows.  tap_b2pg_ended(): its end came, and nothing
 * after it.  The first two return -1 when memory runs out.
 */
int		 tap_b2pg_rows_init(struct tap_b2pg_rows *r, int ncols,
		    const enum tap_b2pg *how);
int		 tap_b2pg_give(struct tap_b2pg_rows *r, const char *piece,
		    size_t len);
const struct tap_b2pg_row *tap_b2pg_take(struct tap_b2pg_rows *r,
		    int *bad);
int		 tap_b2pg_ended(const struct tap_b2pg_rows *r);

/*
 * The number in binary cell V of LEN bytes: an int2, int4 or int8, or a
 * float8; -1 when LEN is not such a number's.
 */
int		 tap_b2pg_int(const char *v, int len, long long *i);
int		 tap_b2pg_real(const char *v, int len, double *d);

#endif
