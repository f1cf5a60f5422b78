/*
 * Fuzz target: ADQL text through parse, check against a small ObsCore-like
 * catalogue, and emit, the path every TAP query takes.  Whatever the
 * input, the three must neither crash nor leak, the tree's depth must stay
 * within ADQL_MAX_DEPTH, and the SQL of an accepted query must not be
 * empty.  The first byte, when it is a digit, picks a MAXREC (0-9) for
 * the emitter; the rest is the query.
 *
 * Built by tools/fuzz.sh with libFuzzer, ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "strbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COL(n, d, a, x)	{ n, d, a, x, NULL, NULL, NULL, NULL }

static const struct adql_column obscore[] = {
	COL("obs_id", "char", "*", NULL),
	COL("obs_collection", "char", "*", NULL),
	COL("calib_level", "short", NULL, NULL),
	COL("s_ra", "double", NULL, NULL),
	COL("s_dec", "double", NULL, NULL),
	COL("s_fov", "double", NULL, NULL),
	{ "s_region", "char", "*", "adql:REGION", NULL, NULL, NULL, "spoly" },
	COL("t_min", "double", NULL, NULL),
	COL("obs_release_date", "char", "*", "timestamp")
};

static const struct adql_column sources[] = {
	COL("id", "long", NULL, NULL),
	COL("obs_id", "char", "*", NULL),
	{ "pos", "double", "2", "point", NULL, NULL, NULL, "spoint" },
	COL("Name", "char", "*", NULL),
	COL("size", "int", NULL, NULL)
};

static const struct adql_table tables[] = {
	{ "ivoa", "obscore", NULL, NULL, obscore,
	    sizeof(obscore) / sizeof(obscore[0]) },
	{ "cat", "sources", NULL, NULL, sources,
	    sizeof(sources) / sizeof(sources[0]) }
};

static const struct adql_catalog catalog = { tables, 2 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct adql_tree	*t;
	struct strbuf		 sql = STRBUF_INIT;
	long long		 maxrec = -1;
	char			 err[512];

	if (size > 0 && data[0] >= '0' && data[0] <= '9') {
		maxrec = data[0] - '0';
		data++;
		size--;
	}
	if ((t = adql_parse((const char *)data, size, err, sizeof(err))) ==
	    NULL)
		return 0;
	if (t->root->depth > ADQL_MAX_DEPTH)
		abort();
	if (adql_check(t, &catalog, err, sizeof(err)) == 0 &&
	    adql_emit(t, maxrec, &sql) == 0 && sql.len == 0)
		abort();
	strbuf_free(&sql);
	adql_tree_free(t);
	return 0;
}
