/*
 * scs_query: what a Simple Cone Search request asks for, checked, and the
 * SQL that answers it.
 *
 * The request parameters are declared once in scs_rules[] (params.h);
 * scs_query_parse() applies them plus the rules that depend on the
 * configuration (SR up to [scs] max_sr, MAXREC capped by maxrec_limit,
 * RESPONSEFORMAT one of the VOTable forms) and normalises RA into [0, 360).
 * scs_sql() builds the statement text for one verbosity from the column
 * table; only the configured table name and fixed text go into it, never a
 * request value (those are bound as parameters $1..$4).
 */
#ifndef RIF_SCS_QUERY_H
#define RIF_SCS_QUERY_H

#include <stddef.h>

#include "config.h"
#include "params.h"
#include "strbuf.h"

/* What a cone search answers in (Cone Search 1.03 §2). */
#define SCS_MIME	"text/xml;charset=UTF-8"

enum {
	SCS_RA,
	SCS_DEC,
	SCS_SR,
	SCS_VERB,
	SCS_MAXREC,
	SCS_RESPONSEFORMAT,
	SCS_RUNID,
	SCS__MAX
};

extern const struct param_rule	scs_rules[SCS__MAX];

struct scs_query {
	double		 ra;		/* degrees, in [0, 360) */
	double		 dec;		/* degrees, in [-90, 90] */
	double		 sr;		/* degrees, in [0, max_sr] */
	int		 verb;		/* 1, 2 or 3 */
	long		 maxrec;	/* rows wanted at most */
	const char	*format;	/* the Content-Type RESPONSEFORMAT asks, or NULL */
};

/*
 * Fill Q from the parsed parameters P (PARAMS_OK) and the configuration.
 * Returns 0, or -1 with the reason in ERR.
 */
int	scs_query_parse(const struct params *p, const struct config_scs *cfg,
	    struct scs_query *q, char *err, size_t errsize);

/*
 * Whether the cone is wider than a pgSphere circle can be (90 degrees):
 * such cones use a distance test instead of the indexed containment.
 */
int	scs_query_wide(const struct scs_query *);

/*
 * The SELECT for verbosity VERB over TABLE (a checked schema.table), wide
 * or not, appended to OUT.  Parameters: $1 RA, $2 DEC, $3 SR (degrees),
 * $4 row limit.  Columns: the number of rows the limit let through (the
 * same on every row), _r, every column with verb <= VERB in table order,
 * then two sort keys.  Rows come nearest first.  Returns -1 on memory
 * exhaustion.
 */
int	scs_sql(struct strbuf *out, const char *table, int verb, int wide);

#endif
