/*
 * tap_value: a result cell as PostgreSQL prints it, in the form its
 * output column declares.
 *
 * Geometry comes from pgSphere in degrees (the connection sets its output
 * to DEG): a point "(10d , 20d)", a circle "<(10d , 20d) , 1d>", a polygon
 * "{(10d , 10d),(11d , 10d),(11d , 11d)}", a box "((10d , 10d), (11d ,
 * 11d))".  A column declared char (s_region) gets STC-S, as the cone search
 * writes it ("Polygon ICRS 10 10 11 10 11 11"); one declared double gets
 * DALI's numbers ("10 20", "10 20 1", "10 10 11 10 11 11").  Times lose
 * PostgreSQL's blank and zone: "2020-01-02T03:04:05.5" (DALI timestamp).
 * Booleans are T and F (1 and 0 for a bit); an array of numbers or booleans (an uploaded
 * table's) has its elements apart by blanks, a null element of floating
 * point as NaN.
 */
#ifndef RIF_TAP_VALUE_H
#define RIF_TAP_VALUE_H

#include "adql_check.h"
#include "strbuf.h"

enum tap_cell {
	CELL_TEXT,	/* as it is (escaped by the writer) */
	CELL_INT,	/* as PostgreSQL prints it */
	CELL_REAL,	/* Infinity spelled +Inf */
	CELL_TIME,	/* DALI timestamp */
	CELL_POINT,	/* DALI point, or STC-S Position */
	CELL_CIRCLE,	/* DALI circle, or STC-S Circle */
	CELL_POLY,	/* DALI polygon, or STC-S Polygon */
	CELL_BOOL,	/* PostgreSQL's t and f as T and F */
	CELL_BIT,	/* and as 1 and 0, for a bit column */
	CELL_ARRAY	/* an array {1,2} as VOTable's "1 2" */
};

/* How the cells of output column F are written. */
enum tap_cell	 tap_cell_kind(const struct adql_field *f);

/*
 * PG's text of a cell of kind KIND, for a column written as STC-S (STCS)
 * or as DALI numbers, into OUT (reset first).  Returns OUT's text, or
 * NULL when the text is not of that kind (the cell is then null).
 */
const char	*tap_cell_text(enum tap_cell kind, int stcs, const char *pg,
		    struct strbuf *out);

#endif
