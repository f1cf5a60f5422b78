#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tap_b2pg.h"

/*
 * The types read here, by the OIDs every PostgreSQL gives them
 * (pg_type.dat; built-in OIDs never change).
 */
#define NAMEOID		19
#define INT8OID		20
#define INT2OID		21
#define INT4OID		23
#define TEXTOID		25
#define FLOAT8OID	701
#define BPCHAROID	1042
#define VARCHAROID	1043

/*
 * Cells of these kinds reach tap_b2 as PostgreSQL printed them (but for
 * the spelling of the infinities, which tap_b2 reads either way), so a
 * number in their place gives the same bytes.
 */
static int
as_printed(enum tap_cell kind)
{
	return kind == CELL_TEXT || kind == CELL_INT || kind == CELL_REAL;
}

enum tap_b2pg
tap_b2pg_how(Oid type, enum tap_cell kind, const struct tap_b2_col *c)
{
	switch (type) {
	case INT2OID:
	case INT4OID:
	case INT8OID:
		return as_printed(kind) && tap_b2_takes_int(c) ? B2PG_INT :
		    B2PG_PRINT;
	case FLOAT8OID:
		return as_printed(kind) && tap_b2_takes_real(c) ? B2PG_REAL :
		    B2PG_PRINT;
	case TEXTOID:
	case VARCHAROID:
	case BPCHAROID:
	case NAMEOID:
		return B2PG_TEXT;
	default:
		return B2PG_PRINT;
	}
}

/* How column K of DESC, that is FIELD, comes. */
static enum tap_b2pg
column_how(const PGresult *desc, int k, const struct adql_field *field)
{
	struct tap_b2_col	 c;

	/* A column BINARY2 cannot carry fails the writer, whatever comes. */
	if (tap_b2_col(&c, field->datatype, field->arraysize) == -1)
		return B2PG_PRINT;
	return tap_b2pg_how(PQftype(desc, k), tap_cell_kind(field), &c);
}

/* The statement, with columns C<k>, printing those HOW says to. */
static int
wrapped(const char *sql, const enum tap_b2pg *how, int nfields,
    struct strbuf *out)
{
	int	 rc = 0, k;

	for (k = 0; k < nfields && rc == 0; k++)
		if (how[k] != B2PG_PRINT)
			rc = strbuf_printf(out, "%sc%d",
			    k > 0 ? ", " : "SELECT ", k);
		else
			/* format() prints NULL as "": a null stays one. */
			rc = strbuf_printf(out, "%sCASE WHEN c%d IS NULL THEN "
			    "NULL ELSE pg_catalog.format('%%s', c%d) END",
			    k > 0 ? ", " : "SELECT ", k, k);
	/*
	 * A derived table's rows come in its own order: an ORDER BY (or a
	 * LIMIT) keeps PostgreSQL from merging it into the outer statement,
	 * which only scans it.
	 */
	if (rc == 0)
		rc = strbuf_printf(out, " FROM (%s) AS b2 (", sql);
	for (k = 0; k < nfields && rc == 0; k++)
		rc = strbuf_printf(out, "%sc%d", k > 0 ? ", " : "", k);
	return rc == 0 ? strbuf_puts(out, ")") : -1;
}

int
tap_b2pg_sql(const char *sql, const PGresult *desc,
    const struct adql_field *fields, int nfields, enum tap_b2pg *how,
    struct strbuf *out)
{
	int	 printed = 0, k;

	strbuf_reset(out);
	if (PQnfields(desc) != nfields)
		return -1;
	for (k = 0; k < nfields; k++)
		printed |= (how[k] = column_how(desc, k, &fields[k])) ==
		    B2PG_PRINT;
	if (strbuf_puts(out, "COPY (") == -1 ||
	    (printed ? wrapped(sql, how, nfields, out) :
	    strbuf_puts(out, sql)) == -1 ||
	    strbuf_puts(out, ") TO STDOUT (FORMAT binary)") == -1)
		return -1;
	/* What was printed comes as text. */
	for (k = 0; k < nfields; k++)
		if (how[k] == B2PG_PRINT)
			how[k] = B2PG_TEXT;
	return 0;
}

enum db_status
tap_b2pg_start(struct tap_b2pg_rows *r, struct db *db, const char *sql,
    const struct adql_field *fields, int nfields)
{
	struct strbuf	 copy = STRBUF_INIT;
	PGresult	*desc;
	enum db_status	 st;
	int		 rc;

	memset(r, 0, sizeof(*r));
	if ((st = db_describe_sql(db, sql, &desc)) != DB_OK)
		return st;
	rc = tap_b2pg_rows_init(r, nfields, NULL);
	if (rc == 0)
		rc = tap_b2pg_sql(sql, desc, fields, nfields, r->how, &copy);
	PQclear(desc);
	r->db = db;
	r->copying = rc == 0;
	st = r->copying ? db_copy_out_start(db, strbuf_str(&copy)) :
	    db_start_sql(db, sql);
	strbuf_free(&copy);
	return st;
}

/* --- COPY's binary format ------------------------------------------------- */

enum { PART_HEADER, PART_ROWS, PART_END };

/* The header's first bytes, and its size without an extension. */
static const char	 signature[11] = "PGCOPY\n\377\r\n";
#define HEADER		19
#define MAX_EXTENSION	65536

static uint32_t
u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int32_t
s32(const unsigned char *p)
{
	uint32_t	 u = u32(p);
	int32_t		 s;

	memcpy(&s, &u, sizeof(s));
	return s;
}

/*
 * A row from the N bytes at P, its cells into r->cells: the bytes it
 * took, 0 when they do not hold it whole yet, -1 when it is not one of
 * r->ncols cells, -2 when memory ran out.
 */
static long
take_row(struct tap_b2pg_rows *r, const unsigned char *p, size_t n)
{
	size_t	 at = 2;
	int	 k;

	if ((p[0] << 8 | p[1]) != r->ncols)
		return -1;
	for (k = 0; k < r->ncols; k++) {
		if (n - at < 4)
			return 0;
		r->len[k] = s32(p + at);
		r->at[k] = at += 4;
		if (r->len[k] < -1)
			return -1;
		if (r->len[k] > 0 && n - at < (size_t)r->len[k])
			return 0;
		at += r->len[k] > 0 ? (size_t)r->len[k] : 0;
	}
	/*
	 * The row is copied as it is, and each cell ended in the copy by a
	 * zero byte where the next one's length was, already read.
	 */
	strbuf_reset(&r->cells);
	if (strbuf_add(&r->cells, p, at) == -1)
		return -2;
	for (k = 0; k < r->ncols; k++)
		if (r->len[k] >= 0) {
			r->cells.s[r->at[k] + (size_t)r->len[k]] = '\0';
			r->v[k] = r->cells.s + r->at[k];
		} else
			r->v[k] = NULL;
	return (long)at;
}

/*
 * The next part of the data from the N bytes at P: the header, a row (*ROW
 * set) or the end; as take_row() returns.
 */
static long
take_part(struct tap_b2pg_rows *r, const unsigned char *p, size_t n,
    int *row)
{
	uint32_t	 ext;

	*row = 0;
	switch (r->part) {
	case PART_HEADER:
		if (n < HEADER)
			return 0;
		/* Flags: bit 16 says OIDs follow, 0-15 a format to come. */
		if (memcmp(p, signature, sizeof(signature)) != 0 ||
		    (u32(p + 11) & 0x1ffff) != 0 ||
		    (ext = u32(p + 15)) > MAX_EXTENSION)
			return -1;
		if (n - HEADER < ext)
			return 0;
		r->part = PART_ROWS;
		return HEADER + (long)ext;
	case PART_ROWS:
		if (n < 2)
			return 0;
		if (p[0] == 0xff && p[1] == 0xff) {
			r->part = PART_END;
			return 2;
		}
		*row = 1;
		return take_row(r, p, n);
	default:
		return -1;	/* nothing after the end */
	}
}

int
tap_b2pg_rows_init(struct tap_b2pg_rows *r, int ncols,
    const enum tap_b2pg *how)
{
	size_t	 n = (size_t)ncols + 1;

	memset(r, 0, sizeof(*r));
	r->ncols = ncols;
	r->how = calloc(n, sizeof(*r->how));
	r->v = calloc(n, sizeof(*r->v));
	r->len = calloc(n, sizeof(*r->len));
	r->at = calloc(n, sizeof(*r->at));
	if (r->how == NULL || r->v == NULL || r->len == NULL ||
	    r->at == NULL) {
		tap_b2pg_free(r);
		return -1;
	}
	if (how != NULL)
		memcpy(r->how, how, (size_t)ncols * sizeof(*how));
	r->row.v = r->v;
	r->row.len = r->len;
	r->row.how = r->how;
	return 0;
}

int
tap_b2pg_give(struct tap_b2pg_rows *r, const char *piece, size_t len)
{
	/* A part cut across pieces is put together in HELD. */
	if (r->held.len > 0)
		return strbuf_add(&r->held, piece, len);
	r->p = piece;
	r->n = len;
	return 0;
}

const struct tap_b2pg_row *
tap_b2pg_take(struct tap_b2pg_rows *r, int *bad)
{
	const unsigned char	*p;
	size_t			 n;
	long			 k;
	int			 row;

	*bad = 0;
	do {
		/* HELD, when it holds anything, comes before the piece. */
		p = (const unsigned char *)(r->held.len > 0 ? r->held.s : r->p);
		n = r->held.len > 0 ? r->held.len : r->n;
		if (n == 0)
			return NULL;
		if ((k = take_part(r, p, n, &row)) < 0) {
			*bad = k == -2 ? 2 : 1;
			return NULL;
		}
		if (k == 0 && r->held.len == 0) {
			if (strbuf_add(&r->held, r->p, r->n) == -1)
				*bad = 2;
			r->n = 0;
			return NULL;
		}
		if (k == 0)
			return NULL;
		if (r->held.len > 0) {
			r->held.len -= (size_t)k;
			memmove(r->held.s, r->held.s + k, r->held.len);
			r->held.s[r->held.len] = '\0';
		} else {
			r->p += k;
			r->n -= (size_t)k;
		}
	} while (!row);
	return &r->row;
}

int
tap_b2pg_ended(const struct tap_b2pg_rows *r)
{
	return r->part == PART_END && r->held.len == 0 && r->n == 0;
}

const struct tap_b2pg_row *
tap_b2pg_next(struct tap_b2pg_rows *r, enum db_status *st)
{
	const struct tap_b2pg_row	*row;
	const char			*piece;
	size_t				 len;
	int				 bad;

	*st = DB_OK;
	for (;;) {
		if ((row = tap_b2pg_take(r, &bad)) != NULL)
			return row;
		if (bad)
			break;
		if ((piece = db_copy_out_next(r->db, &len, st)) == NULL) {
			if (*st != DB_OK || tap_b2pg_ended(r))
				return NULL;
			bad = 1;	/* cut short */
			break;
		}
		if (tap_b2pg_give(r, piece, len) == -1) {
			bad = 2;
			break;
		}
	}
	log_error("BINARY2 rows: %s", bad == 2 ? "out of memory" :
	    "the COPY data is not as PostgreSQL writes it");
	*st = DB_ERROR;
	return NULL;
}

void
tap_b2pg_free(struct tap_b2pg_rows *r)
{
	free(r->how);
	free(r->v);
	free(r->len);
	free(r->at);
	strbuf_free(&r->held);
	strbuf_free(&r->cells);
	r->how = NULL;
	r->v = NULL;
	r->len = NULL;
	r->at = NULL;
}

int
tap_b2pg_int(const char *v, int len, long long *i)
{
	const unsigned char	*p = (const unsigned char *)v;
	uint64_t		 u = 0;
	int64_t			 s;

	if (len != 2 && len != 4 && len != 8)
		return -1;
	for (int k = 0; k < len; k++)
		u = u << 8 | p[k];
	/* Two's complement in LEN bytes, its sign carried into the rest. */
	if (len < 8 && (p[0] & 0x80))
		u |= ~(uint64_t)0 << (8 * len);
	memcpy(&s, &u, sizeof(s));
	*i = s;
	return 0;
}

int
tap_b2pg_real(const char *v, int len, double *d)
{
	const unsigned char	*p = (const unsigned char *)v;
	uint64_t		 u = 0;

	if (len != 8)
		return -1;
	for (int k = 0; k < 8; k++)
		u = u << 8 | p[k];
	memcpy(d, &u, sizeof(*d));
	return 0;
}
