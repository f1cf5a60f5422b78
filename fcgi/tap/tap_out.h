/*
 * tap_out: the output formats of a query result, written as the rows come.
 *
 * A format is chosen by RESPONSEFORMAT (or FORMAT): VOTable 1.4 TABLEDATA
 * (the default: "votable", "votable/td", application/x-votable+xml,
 * text/xml), VOTable 1.4 BINARY2 ("votable/b2", application/x-votable+xml;
 * serialization=BINARY2), CSV ("csv", text/csv) or TSV ("tsv",
 * text/tab-separated-values).  A writer writes the head, then one row at a
 * time, then how the result ended: VOTable says OVERFLOW or ERROR in an
 * INFO after the table (DALI 1.1 §4.4), whichever its serialization; CSV
 * and TSV have no place for either, so an error midway cuts the connection
 * instead and an overflow goes unsaid.
 *
 * Cells are written in the form their column declares (tap_value.h); in
 * BINARY2 a cell that is not of its declared datatype stops the rows
 * (tap_b2.h).  BINARY2 reads its rows from a COPY in PostgreSQL's binary
 * format (tap_b2pg.h), the others as text.  The writer owns its scratch
 * space, kinds to why.
 */
#ifndef RIF_TAP_OUT_H
#define RIF_TAP_OUT_H

#include <libpq-fe.h>

#include "adql_check.h"
#include "params.h"
#include "response.h"
#include "strbuf.h"
#include "tap_b2.h"
#include "tap_b2pg.h"
#include "tap_value.h"
#include "xmlw.h"

enum tap_end {
	TAP_END_OK,
	TAP_END_OVERFLOW,	/* more rows than MAXREC existed */
	TAP_END_ERROR		/* the database failed after the head */
};

struct tap_out;

/* One result being written: its format, columns and scratch space. */
struct tap_writer {
	const struct tap_out	*out;
	struct response		*r;		/* &batch: what formats write to */
	struct response		*client;	/* the answer itself */
	struct response		 batch;		/* gathers into pending */
	struct strbuf		 pending;
	struct xmlw		 xw;
	const struct adql_field	*fields;
	int			 nfields;
	enum tap_cell		*kinds;		/* per column */
	int			*stcs;		/* per column: STC-S text */
	struct strbuf		 cell;
	struct tap_b2		 b2;		/* BINARY2's plans and row */
	long			 nrows;		/* rows written */
	char			 why[256];	/* why a row was refused */
};

struct tap_out {
	const char	*name;		/* for capabilities: the alias */
	const char	*mime;		/* and the media type */
	const char	*ivo_id;	/* TAPRegExt's standard id, or NULL */
	/* The Content-Type for a RESPONSEFORMAT of this format, or NULL. */
	const char	*(*match)(const char *format);
	/* Set up what the format needs beyond the writer, or NULL. */
	int		(*init)(struct tap_writer *);
	void		(*head)(struct tap_writer *, const char *runid);
	/* -1 with W->why set when the row cannot be written. */
	int		(*row)(struct tap_writer *, const PGresult *row);
	/* The same for a row of a COPY, or NULL: rows come as text. */
	int		(*copy_row)(struct tap_writer *,
			    const struct tap_b2pg_row *row);
	void		(*end)(struct tap_writer *, enum tap_end,
			    const char *message);
};

/* Every format, ended by one with a NULL name. */
extern const struct tap_out	tap_outs[];

/*
 * The format RESPONSEFORMAT value FORMAT (NULL: none given) asks for, and
 * the Content-Type its answer has; NULL when none is produced.
 */
const struct tap_out *tap_out_find(const char *format, const char **ctype);

/* RESPONSEFORMAT as a param_rule validator. */
int	tap_out_valid(const struct param_rule *, struct param_value *v,
	    char *why, size_t whysize);

/*
 * Set W up for FIELDS (NFIELDS) written to R; -1 with W->why set when
 * memory runs out or the format cannot carry a column.
 */
int	tap_writer_init(struct tap_writer *w, const struct tap_out *,
	    struct response *r, const struct adql_field *fields, int nfields);
/*
 * Send R what the writer still holds (its output reaches R in batches of
 * 64 KiB; a failed write shows on R at once), then release it.
 */
void	tap_writer_free(struct tap_writer *);

#endif
