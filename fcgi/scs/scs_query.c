#include <math.h>
#include <stdio.h>
#include <string.h>

#include "obscore.h"
#include "scs_query.h"
#include "votable.h"

/*
 * Cone Search 1.03 §2: RA, DEC, SR are required decimal degrees; VERB is
 * 1-3.  MAXREC, RESPONSEFORMAT and RUNID are DALI's and single-valued.
 * Wide RA bounds let any finite RA through to be normalised; SR's upper
 * bound is the configuration's and is checked in scs_query_parse().
 */
const struct param_rule scs_rules[SCS__MAX] = {
	[SCS_RA] = { .name = "RA", .type = PARAM_DOUBLE, .min = -1e6,
	    .max = 1e6, .max_count = 1, .required = 1 },
	[SCS_DEC] = { .name = "DEC", .type = PARAM_DOUBLE, .min = -90,
	    .max = 90, .max_count = 1, .required = 1 },
	[SCS_SR] = { .name = "SR", .type = PARAM_DOUBLE, .min = 0, .max = 180,
	    .max_count = 1, .required = 1 },
	[SCS_VERB] = { .name = "VERB", .type = PARAM_INT, .min = 1, .max = 3,
	    .max_count = 1 },
	[SCS_MAXREC] = { .name = "MAXREC", .type = PARAM_INT, .max = 1e18,
	    .max_count = 1 },
	[SCS_RESPONSEFORMAT] = { .name = "RESPONSEFORMAT",
	    .type = PARAM_STRING, .maxlen = 256, .max_count = 1,
	    .valid = vot_format_valid, .valid_arg = SCS_MIME },
	[SCS_RUNID] = { .name = "RUNID", .type = PARAM_STRING, .maxlen = 64,
	    .max_count = 1 },
};

int
scs_query_parse(const struct params *p, const struct config_scs *cfg,
    struct scs_query *q, char *err, size_t errsize)
{
	const struct param_value	*v;

	memset(q, 0, sizeof(*q));
	q->ra = fmod(params_get(p, SCS_RA)->d, 360.0);
	if (q->ra < 0)
		q->ra += 360.0;
	if (q->ra >= 360.0)	/* fmod of a tiny negative number */
		q->ra = 0;
	q->dec = params_get(p, SCS_DEC)->d;
	q->sr = params_get(p, SCS_SR)->d;
	if (q->sr > cfg->max_sr) {
		snprintf(err, errsize, "SR: %g is larger than this service's "
		    "maximum search radius, %g degrees", q->sr, cfg->max_sr);
		return -1;
	}
	q->verb = (v = params_get(p, SCS_VERB)) != NULL ? (int)v->i : 2;
	q->maxrec = cfg->maxrec_default;
	if ((v = params_get(p, SCS_MAXREC)) != NULL)
		q->maxrec = v->i > cfg->maxrec_limit ?
		    cfg->maxrec_limit : (long)v->i;
	if ((v = params_get(p, SCS_RESPONSEFORMAT)) != NULL)
		q->format = v->s;
	return 0;
}

int
scs_query_wide(const struct scs_query *q)
{
	return q->sr > 90.0;
}

/* The position of a row, as pgSphere needs it (the indexed expression). */
#define ROW_POINT	"spoint(radians(s_ra), radians(s_dec))"
#define CENTRE		"spoint(radians($1::float8), radians($2::float8))"

static int
add_column(struct strbuf *out, const struct obscore_col *c)
{
	switch (c->kind) {
	case COL_TIMESTAMP:
		return strbuf_printf(out, ", to_char(%s, "
		    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS')", c->f.name);
	case COL_POLYGON:
		return strbuf_printf(out, ", %s::text", c->f.name);
	default:
		return strbuf_printf(out, ", %s", c->f.name);
	}
}

/* TABLE quoted: "schema"."name" (checked to be [A-Za-z0-9_] parts). */
static int
add_table(struct strbuf *out, const char *table)
{
	const char	*dot = strchr(table, '.');

	if (dot != NULL)
		return strbuf_printf(out, "\"%.*s\".\"%s\"", (int)(dot - table),
		    table, dot + 1);
	return strbuf_printf(out, "\"%s\"", table);
}

int
scs_sql(struct strbuf *out, const char *table, int verb, int wide)
{
	int	 i, rc;

	/*
	 * The inner query finds and orders the rows by their keys alone, so
	 * that a wide cone sorts narrow rows; the outer one fetches the
	 * columns of the rows the limit kept (by the unique DID key), and its
	 * count tells, with the first row, how many there are, so the status
	 * (OK or OVERFLOW) can lead the document while the rows still stream.
	 */
	rc = strbuf_printf(out, "SELECT count(*) OVER (), c._r");
	for (i = 0; i < obscore_ncols; i++)
		if (obscore_cols[i].verb <= verb)
			rc |= add_column(out, &obscore_cols[i]);
	rc |= strbuf_printf(out, " FROM (SELECT degrees(%s <-> %s) AS _r, "
	    "rucio_did_scope AS _k1, rucio_did_name AS _k2 FROM ", ROW_POINT,
	    CENTRE);
	rc |= add_table(out, table);
	/*
	 * A pgSphere circle cannot be wider than 90 degrees; past that the
	 * cone is most of the sky and a distance test over the table is the
	 * right plan anyway.
	 */
	if (wide)
		rc |= strbuf_printf(out, " WHERE %s <-> %s <= radians($3::float8)",
		    ROW_POINT, CENTRE);
	else
		rc |= strbuf_printf(out, " WHERE %s <@ scircle(%s, "
		    "radians($3::float8))", ROW_POINT, CENTRE);
	rc |= strbuf_printf(out, " ORDER BY _r, _k1, _k2 LIMIT $4::bigint) AS c "
	    "JOIN ");
	rc |= add_table(out, table);
	rc |= strbuf_printf(out, " AS o ON o.rucio_did_scope = c._k1 AND "
	    "o.rucio_did_name = c._k2 ORDER BY c._r, c._k1, c._k2");
	return rc;
}
