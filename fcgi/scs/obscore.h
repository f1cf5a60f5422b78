/*
 * obscore: the columns of the ObsCore 1.1 table as the cone search serves
 * them: VOTable metadata (ObsCore 1.1 Table 4 and App. C, with the SCS 1.03
 * UCD1 words on the identifier and position columns) and the verbosity
 * level at which each appears.  One static table, read-only.
 */
#ifndef RIF_OBSCORE_H
#define RIF_OBSCORE_H

#include "votable.h"

/* How a column's text from PostgreSQL becomes a VOTable cell. */
enum col_kind {
	COL_TEXT,	/* char *, escaped */
	COL_INT,	/* int / long, as PostgreSQL prints it */
	COL_DOUBLE,	/* double; Infinity spelled +Inf */
	COL_TIMESTAMP,	/* formatted by the query as ISO 8601 */
	COL_POLYGON	/* pgSphere spoly in degrees -> STC-S polygon */
};

struct obscore_col {
	struct vot_field	 f;
	enum col_kind		 kind;
	int			 verb;	/* lowest VERB that includes it: 1-3 */
};

extern const struct obscore_col	obscore_cols[];
extern const int		obscore_ncols;

/* The distance column that leads every row: _r, degrees. */
extern const struct vot_field	obscore_dist_field;

/*
 * Turn pgSphere's degree output of a polygon, "{(10d , 10d),(11d , 10d)...}",
 * into an STC-S polygon "Polygon ICRS 10 10 11 10 ...", written into BUF.
 * Returns NULL when the text is not such a polygon or does not fit.
 */
const char *obscore_region(const char *spoly, char *buf, size_t size);

#endif
