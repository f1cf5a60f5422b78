/*
 * adql: the parser, checker and emitter on the cases in tests/unit/adql/:
 * accept.txt (ADQL and the SQL it becomes) and refuse.txt (ADQL and the
 * message it is refused with), against a fixed ObsCore-like catalogue.
 *
 * A case is a block of lines ended by a blank line: the ADQL, a line "=>",
 * then the expected SQL or message (lines joined by one space).  A first
 * line "@maxrec N" passes MAXREC N to the emitter (default: none).  Lines
 * starting with # between blocks are comments.  A mismatch prints the
 * case's line and what came out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "helpers.h"
#include "strbuf.h"

#define DIR	"tests/unit/adql/"

#define COL(n, d, a, x, u, ucd)	{ n, d, a, x, u, ucd, NULL, NULL }

static const struct adql_column obscore[] = {
	COL("dataproduct_type", "char", "*", NULL, NULL, "meta.id"),
	COL("calib_level", "short", NULL, NULL, NULL, "meta.code;obs.calib"),
	COL("obs_collection", "char", "*", NULL, NULL, "meta.id"),
	COL("obs_id", "char", "*", NULL, NULL, "meta.id"),
	COL("obs_publisher_did", "char", "*", NULL, NULL, "meta.ref.ivoid"),
	COL("access_url", "char", "*", NULL, NULL, "meta.ref.url"),
	COL("access_format", "char", "*", NULL, NULL, "meta.code.mime"),
	COL("access_estsize", "long", NULL, NULL, "kbyte",
	    "phys.size;meta.file"),
	COL("target_name", "char", "*", NULL, NULL, "meta.id;src"),
	COL("s_ra", "double", NULL, NULL, "deg", "pos.eq.ra"),
	COL("s_dec", "double", NULL, NULL, "deg", "pos.eq.dec"),
	COL("s_fov", "double", NULL, NULL, "deg", "phys.angSize;instr.fov"),
	{ "s_region", "char", "*", "adql:REGION", "deg",
	    "pos.outline;obs.field", NULL, "spoly" },
	COL("t_min", "double", NULL, NULL, "d", "time.start;obs.exposure"),
	COL("t_max", "double", NULL, NULL, "d", "time.end;obs.exposure"),
	COL("t_exptime", "double", NULL, NULL, "s", "time.duration"),
	COL("em_min", "double", NULL, NULL, "m", "em.wl;stat.min"),
	COL("em_max", "double", NULL, NULL, "m", "em.wl;stat.max"),
	COL("facility_name", "char", "*", NULL, NULL, "meta.id;instr.tel"),
	COL("instrument_name", "char", "*", NULL, NULL, "meta.id;instr"),
	COL("obs_release_date", "char", "*", "timestamp", NULL,
	    "time.release")
};

static const struct adql_column tap_tables[] = {
	COL("schema_name", "char", "*", NULL, NULL, NULL),
	COL("table_name", "char", "*", NULL, NULL, NULL),
	COL("table_type", "char", "*", NULL, NULL, NULL),
	COL("description", "char", "*", NULL, NULL, NULL)
};

static const struct adql_column tap_columns[] = {
	COL("table_name", "char", "*", NULL, NULL, NULL),
	COL("column_name", "char", "*", NULL, NULL, NULL),
	COL("datatype", "char", "*", NULL, NULL, NULL),
	COL("size", "int", NULL, NULL, NULL, NULL),
	COL("unit", "char", "*", NULL, NULL, NULL)
};

/* A catalogue of sources: a point column, and names that differ in case. */
static const struct adql_column sources[] = {
	COL("id", "long", NULL, NULL, NULL, "meta.id;meta.main"),
	COL("obs_id", "char", "*", NULL, NULL, "meta.id"),
	{ "pos", "double", "2", "point", "deg", "pos.eq", NULL, "spoint" },
	COL("mag", "float", NULL, NULL, "mag", "phot.mag"),
	COL("Name", "char", "*", NULL, NULL, "meta.id"),
	COL("NAME", "char", "*", NULL, NULL, "meta.id")
};

static const struct adql_table tables[] = {
	{ "ivoa", "obscore", NULL, NULL, obscore,
	    sizeof(obscore) / sizeof(obscore[0]) },
	{ "TAP_SCHEMA", "tables", "tap_schema", NULL, tap_tables,
	    sizeof(tap_tables) / sizeof(tap_tables[0]) },
	{ "TAP_SCHEMA", "columns", "tap_schema", NULL, tap_columns,
	    sizeof(tap_columns) / sizeof(tap_columns[0]) },
	{ "cat", "sources", NULL, NULL, sources,
	    sizeof(sources) / sizeof(sources[0]) }
};

static const struct adql_catalog catalog = {
	tables, sizeof(tables) / sizeof(tables[0])
};

/*
 * ADQL through parse, check and emit: 0 with the SQL in OUT, or -1 with
 * the message in OUT.
 */
static int
translate(const char *adql, long long maxrec, struct strbuf *out)
{
	struct adql_tree	*t;
	char			 err[512];
	int			 rc = -1;

	if ((t = adql_parse(adql, strlen(adql), err, sizeof(err))) == NULL ||
	    adql_check(t, &catalog, err, sizeof(err)) == -1)
		strbuf_puts(out, err);
	else if (adql_emit(t, maxrec, out) == -1)
		strbuf_puts(out, "out of memory");
	else
		rc = 0;
	adql_tree_free(t);
	return rc;
}

struct block {
	struct strbuf	 adql, want;
	long long	 maxrec;
	int		 line;
};

/* The next case from F into B: 1, or 0 at the end of the file. */
static int
next_block(FILE *f, struct block *b, int *lineno)
{
	char		 line[4096];
	int		 state = 0;	/* 0 before, 1 ADQL, 2 expected */
	size_t		 n;

	strbuf_reset(&b->adql);
	strbuf_reset(&b->want);
	b->maxrec = -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		++*lineno;
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0) {
			if (state != 0)
				return 1;
			continue;
		}
		if (state == 0 && line[0] == '#')
			continue;
		if (state == 0) {
			b->line = *lineno;
			state = 1;
			if (strncmp(line, "@maxrec ", 8) == 0) {
				b->maxrec = atoll(line + 8);
				continue;
			}
		}
		if (state == 1 && strcmp(line, "=>") == 0)
			state = 2;
		else if (state == 1) {
			if (b->adql.len > 0)
				strbuf_puts(&b->adql, "\n");
			strbuf_puts(&b->adql, line);
		} else {
			if (b->want.len > 0)
				strbuf_puts(&b->want, " ");
			strbuf_puts(&b->want, line);
		}
	}
	return state != 0;
}

/* Every case of FILE gives rc WANT_RC and the expected text. */
static void
run_file(const char *file, int want_rc)
{
	struct block	 b = { STRBUF_INIT, STRBUF_INIT, -1, 0 };
	struct strbuf	 got = STRBUF_INIT;
	FILE		*f;
	int		 lineno = 0, cases = 0, rc;

	if ((f = fopen(file, "r")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", file);
		CU_FAIL_FATAL("a case file is missing");
	}
	while (next_block(f, &b, &lineno)) {
		strbuf_reset(&got);
		rc = translate(strbuf_str(&b.adql), b.maxrec, &got);
		if (rc != want_rc ||
		    strcmp(strbuf_str(&got), strbuf_str(&b.want)) != 0) {
			fprintf(stderr, "\n%s:%d: got (%d):\n%s\n", file,
			    b.line, rc, strbuf_str(&got));
			CU_FAIL("an ADQL case differs");
		} else
			CU_PASS("case");
		cases++;
	}
	fclose(f);
	CU_ASSERT_TRUE(cases > 0);
	strbuf_free(&b.adql);
	strbuf_free(&b.want);
	strbuf_free(&got);
}

static void
test_accept(void)
{
	run_file(DIR "accept.txt", 0);
}

static void
test_refuse(void)
{
	run_file(DIR "refuse.txt", -1);
}

/* Output columns carry the catalogue's metadata, computed ones a type. */
static void
test_fields(void)
{
	const char		*q = "SELECT TOP 1 s_ra AS ra, t.*, COUNT(*), "
	    "AVG(mag), MAX(mag), DISTANCE(pos, POINT(1, 2)), POINT(1, 2), "
	    "LOWER(t.obs_id) || 'x', CAST(id AS CHAR(8)) "
	    "FROM cat.sources AS t, "
	    "ivoa.obscore AS o WHERE t.obs_id = o.obs_id GROUP BY s_ra, t.id";
	struct adql_tree	*t;
	const struct adql_field	*f;
	char			 err[256];
	int			 n;

	t = adql_parse(q, strlen(q), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(adql_check(t, &catalog, err, sizeof(err)), 0);
	f = adql_fields(t, &n);
	CU_ASSERT_EQUAL_FATAL(n, 14);
	CU_ASSERT_STRING_EQUAL(f[0].name, "ra");
	CU_ASSERT_STRING_EQUAL(f[0].ucd, "pos.eq.ra");
	CU_ASSERT_STRING_EQUAL(f[0].unit, "deg");
	CU_ASSERT_STRING_EQUAL(f[3].name, "pos");
	CU_ASSERT_STRING_EQUAL(f[3].xtype, "point");
	CU_ASSERT_STRING_EQUAL(f[3].arraysize, "2");
	CU_ASSERT_STRING_EQUAL(f[7].name, "count");
	CU_ASSERT_STRING_EQUAL(f[7].datatype, "long");
	CU_ASSERT_STRING_EQUAL(f[8].datatype, "double");
	CU_ASSERT_STRING_EQUAL(f[9].datatype, "float");
	CU_ASSERT_STRING_EQUAL(f[9].unit, "mag");
	CU_ASSERT_STRING_EQUAL(f[10].datatype, "double");
	CU_ASSERT_STRING_EQUAL(f[11].xtype, "point");
	CU_ASSERT_STRING_EQUAL(f[12].datatype, "char");
	CU_ASSERT_STRING_EQUAL(f[12].arraysize, "*");
	CU_ASSERT_STRING_EQUAL(f[13].arraysize, "8");
	CU_ASSERT_PTR_NULL(f[13].ucd);
	adql_tree_free(t);
}

/* The LIMIT the SQL has, as adql_emit_limit() tells it. */
static long long
limit_of(const char *adql, long long maxrec)
{
	struct adql_tree	*t;
	struct strbuf		 sql = STRBUF_INIT;
	char			 err[256], want[32];
	long long		 n;

	t = adql_parse(adql, strlen(adql), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL_FATAL(adql_check(t, &catalog, err, sizeof(err)), 0);
	n = adql_emit_limit(t, maxrec);
	CU_ASSERT_EQUAL(adql_emit(t, maxrec, &sql), 0);
	/* The one the statement ends with, or none. */
	snprintf(want, sizeof(want), " LIMIT %lld", n);
	if (n >= 0) {
		CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&sql), want));
	} else {
		CU_ASSERT_PTR_NULL(strstr(strbuf_str(&sql), " LIMIT "));
	}
	strbuf_free(&sql);
	adql_tree_free(t);
	return n;
}

static void
test_row_limit(void)
{
	CU_ASSERT_EQUAL(limit_of("SELECT s_ra FROM ivoa.obscore", 100), 101);
	CU_ASSERT_EQUAL(limit_of("SELECT TOP 5 s_ra FROM ivoa.obscore", 100),
	    5);
	CU_ASSERT_EQUAL(limit_of("SELECT TOP 500 s_ra FROM ivoa.obscore",
	    100), 101);
	CU_ASSERT_EQUAL(limit_of("SELECT s_ra FROM ivoa.obscore", -1), -1);
	CU_ASSERT_EQUAL(limit_of("SELECT TOP 7 s_ra FROM ivoa.obscore", -1),
	    7);
	CU_ASSERT_EQUAL(limit_of("SELECT s_ra FROM ivoa.obscore UNION "
	    "SELECT s_dec FROM ivoa.obscore", 9), 10);
	CU_ASSERT_EQUAL(limit_of("SELECT s_ra FROM ivoa.obscore",
	    (long long)9e18), (long long)1e18 + 1);
}

/* Limits: input size, nesting, and the parser's stack. */
static void
test_limits(void)
{
	struct strbuf	 q = STRBUF_INIT, got = STRBUF_INIT;
	int		 i;

	strbuf_puts(&q, "SELECT s_ra FROM ivoa.obscore WHERE s_ra > 0");
	for (i = 0; i < 300; i++)
		strbuf_puts(&q, " + 1");
	CU_ASSERT_EQUAL(translate(strbuf_str(&q), -1, &got), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&got),
	    "the query nests deeper than 200 levels"));
	strbuf_reset(&q);
	strbuf_reset(&got);
	strbuf_puts(&q, "SELECT s_ra FROM ivoa.obscore WHERE ");
	for (i = 0; i < 5000; i++)
		strbuf_puts(&q, "(");
	CU_ASSERT_EQUAL(translate(strbuf_str(&q), -1, &got), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&got),
	    "the query nests too deeply"));
	strbuf_reset(&q);
	strbuf_reset(&got);
	strbuf_puts(&q, "SELECT s_ra FROM ivoa.obscore --");
	while (q.len <= ADQL_MAX_INPUT)
		strbuf_puts(&q, "xxxxxxxxxxxxxxxx");
	CU_ASSERT_EQUAL(translate(strbuf_str(&q), -1, &got), -1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&got),
	    "the query is longer than 65536 bytes");
	strbuf_reset(&got);
	CU_ASSERT_EQUAL(adql_parse("SELECT\0", 7, NULL, 0) == NULL, 1);
	strbuf_free(&q);
	strbuf_free(&got);
}

void
suite_adql(void)
{
	CU_pSuite	 s = CU_add_suite("adql", NULL, NULL);

	CU_add_test(s, "accepted queries and their SQL", test_accept);
	CU_add_test(s, "refused queries and their messages", test_refuse);
	CU_add_test(s, "output column metadata", test_fields);
	CU_add_test(s, "size and nesting limits", test_limits);
	CU_add_test(s, "the rows the SQL gives at most", test_row_limit);
}
