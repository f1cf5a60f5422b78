/*
 * upload_vot's parts: the XML (upload_vot.c), the FIELDs
 * (upload_vot_field.c), the values and their COPY text (upload_vot_cell.c),
 * and BINARY and BINARY2 (upload_vot_bin.c).
 */
#ifndef RIF_UPLOAD_VOT_INT_H
#define RIF_UPLOAD_VOT_INT_H

#include <stdio.h>

#include <mxml.h>

#include "base64.h"
#include "strbuf.h"
#include "upload_vot.h"

/* How the cells of one column are read. */
struct up_col {
	enum upload_kind kind;
	int		 array;		/* a numeric array, {a,b,c} */
	int		 variable;	/* a count first in binary */
	long		 count;		/* else its elements (1: scalar) */
	int		 timestamp;
	int		 has_null;	/* a VALUES null, as one of: */
	long long	 inull;
	double		 dnull;
	char		*snull;
};

struct up_reader {
	const struct upload_limits *lim;
	struct upload_table	*t;
	struct up_col		*cols;		/* beside t->cols */
	int			 capcols;
	upload_row_fn		 row;		/* NULL: columns only */
	void			*ctx;
	char			*why;
	size_t			 whysize;
	int			 failed;	/* WHY holds the reason */
	int			 done;		/* the table was read */
	FILE			*fp;		/* what mxml reads */
	struct strbuf		 stack;		/* an enum up_el a level */
	int			 have_root, have_table, have_data;
	int			 fields_done;
	/* TABLEDATA: the row and the cell being read. */
	int			 ntd;
	struct strbuf		 cell;
	struct strbuf		 line;		/* the row's COPY line */
	size_t			 cell_at;	/* where its cell began */
	/* BINARY, BINARY2 */
	int			 b2;
	int			 have_stream;
	struct b64_dec		 dec;
	struct strbuf		 bin;		/* bytes short of a row */
};

/* The row being read, from 1. */
#define UP_ROW(r)	((r)->t->nrows + 1)

/*
 * WHY, once (the first failure is the one told), and the XML read no
 * further; -1.
 */
int	up_fail(struct up_reader *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "Row N, column "NAME": " and the rest, as up_fail(). */
int	up_fail_cell(struct up_reader *, int k, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The failure, with WHY as it is; -1. */
int	up_stop(struct up_reader *);
int	up_nomem(struct up_reader *);
/* A name (or other text) for a sentence. */
#define EX(s, buf)	up_excerpt((s), strlen(s), (buf), sizeof(buf))

/* A FIELD, opening: a new column, checked (upload_vot_field.c). */
int	up_begin_field(struct up_reader *, mxml_node_t *);

/* --- Cells: each appends its text to r->line (upload_vot_cell.c) -------- */

/* Is S[0..N) UTF-8, without NUL? */
int	up_utf8_ok(const char *s, size_t n);
int	up_add(struct up_reader *, const char *s, size_t n);
/* A new row, when max_rows allows one more. */
int	up_row_begin(struct up_reader *);
/* The row in r->line given to the callback; -1 when it refused it. */
int	up_row_end(struct up_reader *);
/* The tab before every cell of a row but the first. */
int	up_cell_begin(struct up_reader *, int k);
/* -1 (WHY set) when N, the length of cell K's text, passes max_cell. */
int	up_cell_long(struct up_reader *, int k, size_t n);
int	up_put_null(struct up_reader *);
/* A cell of text, or a timestamp: checked, then escaped. */
int	up_put_text(struct up_reader *, int k, const char *s, size_t n);
/*
 * A value of column K, a cell or (ELEM) an element of an array's: NULL
 * when it is the column's VALUES null.
 */
int	up_put_int(struct up_reader *, int k, long long v, int elem);
int	up_put_real(struct up_reader *, int k, double v, int elem);
/* B: 1, 0, or -1 for NULL. */
int	up_put_bool(struct up_reader *, int b, int elem);
/* The cell K of a TABLEDATA row: its TD's text, S[0..N). */
int	up_td_cell(struct up_reader *, int k, const char *s, size_t n);
/* The null of a VALUES, VALUE, for column K; -1 (WHY set) when wrong. */
int	up_set_null(struct up_reader *, int k, const char *value);

/* --- BINARY and BINARY2 (upload_vot_bin.c) ------------------------------- */

/* Base64 text of a STREAM, its rows given as soon as they are whole. */
int	up_bin_text(struct up_reader *, const char *s, size_t n);
/* The end of the STREAM: nothing may be left of a row. */
int	up_bin_end(struct up_reader *);

#endif
