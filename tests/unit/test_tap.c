/*
 * tap: the catalogue built from TAP_SCHEMA rows (names, folding, keys),
 * the VOSI tables and TAPRegExt documents written from it, and the
 * handler's answers that need no database.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "config.h"
#include "helpers.h"
#include "service.h"
#include "tap.h"
#include "tap_catalog.h"
#include "tap_out.h"
#include "tap_value.h"
#include "tap_vosi.h"

static void
test_ident(void)
{
	char		 a[16], d[16];
	const char	*s;

	s = "ivoa.ObsCore";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), 0);
	CU_ASSERT_STRING_EQUAL(a, "ivoa");
	CU_ASSERT_STRING_EQUAL(s, ".ObsCore");
	s++;
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), 0);
	CU_ASSERT_STRING_EQUAL(a, "ObsCore");
	CU_ASSERT_STRING_EQUAL(d, "obscore");
	CU_ASSERT_STRING_EQUAL(s, "");
	/* Delimited: exact, quotes doubled inside. */
	s = "\"Odd \"\"x\"\"\"";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), 0);
	CU_ASSERT_STRING_EQUAL(a, "Odd \"x\"");
	CU_ASSERT_STRING_EQUAL(d, "Odd \"x\"");
	/* Refused: no name, an open quote, too long, a leading digit. */
	s = "";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), -1);
	s = "\"open";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), -1);
	s = "\"\"";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), -1);
	s = "a_name_far_too_long_for_it";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), -1);
	s = "1abc";
	CU_ASSERT_EQUAL(tap_ident(&s, a, d, sizeof(a)), -1);
}

static void
col(struct tap_catalog *c, const char *schema, const char *table,
    const char *name, const char *datatype, const char *arraysize,
    const char *xtype, int want)
{
	struct tap_column_row	 r;
	char			 why[128];

	memset(&r, 0, sizeof(r));
	r.schema = schema;
	r.table = table;
	r.column = name;
	r.datatype = datatype;
	r.arraysize = arraysize;
	r.xtype = xtype;
	r.description = "a column";
	r.unit = "";
	r.size = -1;
	r.indexed = 1;
	r.std = 1;
	CU_ASSERT_EQUAL(tap_catalog_add_column(c, &r, why, sizeof(why)), want);
}

/* A small TAP_SCHEMA: ObsCore's first columns and two TAP_SCHEMA tables. */
static struct tap_catalog *
sample(void)
{
	struct tap_catalog	*c = tap_catalog_new();

	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(tap_catalog_add_schema(c, "ivoa", NULL, "IVOA"), 0);
	CU_ASSERT_EQUAL(tap_catalog_add_schema(c, "TAP_SCHEMA", NULL, ""), 0);
	col(c, "ivoa", "ivoa.ObsCore", "obs_id", "char", "*", NULL, 0);
	col(c, "ivoa", "ivoa.ObsCore", "s_ra", "double", NULL, NULL, 0);
	col(c, "ivoa", "ivoa.ObsCore", "s_region", "char", "*", "adql:REGION",
	    0);
	col(c, "ivoa", "ivoa.ObsCore", "bad name", "char", "*", NULL, 1);
	col(c, "TAP_SCHEMA", "TAP_SCHEMA.tables", "table_name", "char", "*",
	    NULL, 0);
	col(c, "TAP_SCHEMA", "TAP_SCHEMA.columns", "table_name", "char", "*",
	    NULL, 0);
	col(c, "TAP_SCHEMA", "TAP_SCHEMA.columns", "\"size\"", "int", NULL,
	    NULL, 0);
	col(c, "other", "other.9lives", "x", "int", NULL, NULL, 1);
	CU_ASSERT_EQUAL(tap_catalog_add_key(c, "k1", "TAP_SCHEMA.columns",
	    "TAP_SCHEMA.tables", "the table", NULL, "table_name",
	    "table_name"), 0);
	CU_ASSERT_EQUAL(tap_catalog_add_key(c, "k2", "nowhere.t",
	    "TAP_SCHEMA.tables", NULL, NULL, "a", "b"), 1);
	CU_ASSERT_EQUAL(tap_catalog_finish(c), 0);
	return c;
}

static void
test_catalog(void)
{
	struct tap_catalog	*c = sample();
	const struct tap_table	*t;

	CU_ASSERT_EQUAL(c->adql.ntables, 3);
	CU_ASSERT_EQUAL(c->nschemas, 2);
	t = tap_catalog_table(c, "ivoa.obscore");
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_STRING_EQUAL(t->name, "ivoa.ObsCore");
	CU_ASSERT_STRING_EQUAL(t->adql->schema, "ivoa");
	CU_ASSERT_STRING_EQUAL(t->adql->name, "ObsCore");
	CU_ASSERT_STRING_EQUAL(t->adql->db_name, "obscore");
	CU_ASSERT_EQUAL(t->adql->ncols, 3);
	/* An empty unit is no unit. */
	CU_ASSERT_PTR_NULL(t->adql->cols[0].unit);
	t = tap_catalog_table(c, "TAP_SCHEMA.columns");
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_STRING_EQUAL(t->adql->db_schema, "tap_schema");
	CU_ASSERT_STRING_EQUAL(t->adql->cols[1].name, "size");
	CU_ASSERT_STRING_EQUAL(t->cols[1].name, "\"size\"");
	CU_ASSERT_EQUAL(t->nkeys, 1);
	CU_ASSERT_STRING_EQUAL(t->keys[0].target, "TAP_SCHEMA.tables");
	CU_ASSERT_PTR_NULL(tap_catalog_table(c, "other.9lives"));
	tap_catalog_free(c);
}

/* ADQL through the loaded catalogue reaches the folded database names. */
static void
test_catalog_adql(void)
{
	struct tap_catalog	*c = sample();
	struct adql_tree	*t;
	struct strbuf		 sql = STRBUF_INIT;
	char			 err[256];
	const char		*q = "SELECT \"size\", t.table_name FROM "
	    "tap_schema.columns AS t";

	t = adql_parse(q, strlen(q), err, sizeof(err));
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(adql_check(t, &c->adql, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(adql_emit(t, 10, &sql), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&sql),
	    "FROM \"tap_schema\".\"columns\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&sql), "\"size\""));
	adql_tree_free(t);
	q = "SELECT size FROM tap_schema.columns";
	t = adql_parse(q, strlen(q), err, sizeof(err));
	CU_ASSERT_TRUE(t == NULL || adql_check(t, &c->adql, err,
	    sizeof(err)) == -1);
	adql_tree_free(t);
	q = "SELECT obs_id FROM \"ivoa\".\"obscore\"";
	t = adql_parse(q, strlen(q), err, sizeof(err));
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(adql_check(t, &c->adql, err, sizeof(err)), -1);
	adql_tree_free(t);
	strbuf_free(&sql);
	tap_catalog_free(c);
}

static void
test_tableset(void)
{
	struct tap_catalog	*c = sample();
	struct captured		 cap;
	const char		*b;

	cap_init(&cap);
	tap_vosi_tableset(&cap.resp, c, 1);
	b = cap_body(&cap);
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<vosi:tableset xmlns:vosi=\""
	    "http://www.ivoa.net/xml/VOSITables/v1.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<schema><name>ivoa</name>"
	    "<description>IVOA</description><table type=\"base_table\">"
	    "<name>ivoa.ObsCore</name>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<column std=\"true\"><name>s_region"
	    "</name><description>a column</description><dataType "
	    "xsi:type=\"vs:VOTableType\" arraysize=\"*\" extendedType="
	    "\"adql:REGION\">char</dataType><flag>indexed</flag></column>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<name>\"size\"</name>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b, "<foreignKey><targetTable>"
	    "TAP_SCHEMA.tables</targetTable><fkColumn><fromColumn>table_name"
	    "</fromColumn><targetColumn>table_name</targetColumn></fkColumn>"));
	cap_free(&cap);
	/* detail=min: no columns. */
	cap_init(&cap);
	tap_vosi_tableset(&cap.resp, c, 0);
	CU_ASSERT_PTR_NULL(strstr(cap_body(&cap), "<column"));
	cap_free(&cap);
	cap_init(&cap);
	tap_vosi_table(&cap.resp, tap_catalog_table(c, "ivoa.ObsCore"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&cap), "<vosi:table xmlns:vosi"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&cap), "<name>obs_id</name>"));
	cap_free(&cap);
	tap_catalog_free(c);
}

static void
check_cell(enum tap_cell kind, int stcs, const char *pg, const char *want)
{
	struct strbuf	 out = STRBUF_INIT;
	const char	*got = tap_cell_text(kind, stcs, pg, &out);

	if (want == NULL) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		CU_ASSERT_STRING_EQUAL(got, want);
	}
	strbuf_free(&out);
}

static void
test_cells(void)
{
	check_cell(CELL_POINT, 0, "(10.5d , -20d)", "10.5 -20");
	check_cell(CELL_POINT, 1, "(10.5d , -20d)", "Position ICRS 10.5 -20");
	check_cell(CELL_CIRCLE, 0, "<(10d , 20d) , 0.572957795130823d>",
	    "10 20 0.572957795130823");
	check_cell(CELL_POLY, 1, "{(10d , 10d),(11d , 10d),(11d , 11d)}",
	    "Polygon ICRS 10 10 11 10 11 11");
	check_cell(CELL_POLY, 0, "{(10d , 10d),(11d , 10d),(11d , 11d)}",
	    "10 10 11 10 11 11");
	check_cell(CELL_POLY, 0, "((10d , 20d), (11d , 21d))",
	    "10 20 11 20 11 21 10 21");
	check_cell(CELL_POLY, 0, "{(1e-05d , 2d),(3d , 4d),(5d , 6d)}",
	    "1e-05 2 3 4 5 6");
	check_cell(CELL_POLY, 0, "{(-.5d , +2.d),(3E+2d , 4.25e3d),(5d , -6d)}",
	    "-.5 +2. 3E+2 4.25e3 5 -6");
	check_cell(CELL_POINT, 0, "(1.5e-300d , -0d)", "1.5e-300 -0");
	/* Not what the column says: a null cell. */
	check_cell(CELL_POINT, 0, "(10d , 20d , 30d)", NULL);
	check_cell(CELL_POLY, 0, "{(10d , 10d),(11d , 10d)}", NULL);
	check_cell(CELL_CIRCLE, 0, "<(1 , 2) , x>", NULL);
	check_cell(CELL_POINT, 0, "(1e , 2d)", NULL);
	check_cell(CELL_POINT, 0, "(. , 2d)", NULL);
	check_cell(CELL_POINT, 0, "(-d , 2d)", NULL);
	check_cell(CELL_POINT, 0, "(nan , 2d)", NULL);
	check_cell(CELL_TIME, 0, "2020-01-02 03:04:05.5",
	    "2020-01-02T03:04:05.5");
	check_cell(CELL_TIME, 0, "2020-01-02 03:04:05+00", "2020-01-02T03:04:05");
	check_cell(CELL_TIME, 0, "2020-01-02", "2020-01-02");
	check_cell(CELL_TIME, 0, "infinity", NULL);
	check_cell(CELL_REAL, 0, "-Infinity", "-Inf");
	check_cell(CELL_TEXT, 0, "a <b>", "a <b>");
	/* An uploaded table's booleans and arrays. */
	check_cell(CELL_BOOL, 0, "t", "T");
	check_cell(CELL_BOOL, 0, "f", "F");
	check_cell(CELL_BOOL, 0, "x", NULL);
	check_cell(CELL_BIT, 0, "t", "1");
	check_cell(CELL_BIT, 0, "f", "0");
	check_cell(CELL_ARRAY, 0, "{1,-2,3}", "1 -2 3");
	check_cell(CELL_ARRAY, 0, "{1.5,Infinity,NaN,NULL}", "1.5 +Inf NaN NaN");
	check_cell(CELL_ARRAY, 0, "{t,f}", "T F");
	check_cell(CELL_ARRAY, 0, "{}", "");
	check_cell(CELL_ARRAY, 0, "{{1,2},{3,4}}", NULL);
	check_cell(CELL_ARRAY, 0, "{1,,2}", NULL);
	check_cell(CELL_ARRAY, 0, "{1,2", NULL);
	check_cell(CELL_ARRAY, 0, "{1,2}x", NULL);
	check_cell(CELL_ARRAY, 0, "{\"a\"}", NULL);
}

static void
test_formats(void)
{
	const char	*ct;

	CU_ASSERT_STRING_EQUAL(tap_out_find(NULL, &ct)->name, "votable");
	CU_ASSERT_STRING_EQUAL(ct, "application/x-votable+xml");
	CU_ASSERT_STRING_EQUAL(tap_out_find("votable/td", &ct)->name,
	    "votable");
	CU_ASSERT_STRING_EQUAL(tap_out_find(
	    "application/x-votable+xml;serialization=TABLEDATA", &ct)->name,
	    "votable");
	CU_ASSERT_STRING_EQUAL(tap_out_find(
	    "application/x-votable+xml;serialization=BINARY2", &ct)->name,
	    "votable/b2");
	CU_ASSERT_STRING_EQUAL(ct,
	    "application/x-votable+xml;serialization=BINARY2");
	CU_ASSERT_STRING_EQUAL(tap_out_find("application/X-VOTable+XML; "
	    "serialization=binary2;charset=UTF-8", &ct)->name, "votable/b2");
	CU_ASSERT_STRING_EQUAL(tap_out_find("VOTable/B2", &ct)->name,
	    "votable/b2");
	CU_ASSERT_STRING_EQUAL(ct,
	    "application/x-votable+xml;serialization=BINARY2");
	CU_ASSERT_PTR_NULL(tap_out_find("votable/b2;charset=UTF-8", &ct));
	CU_ASSERT_PTR_NULL(tap_out_find(
	    "application/x-votable+xml;serialization=BINARY", &ct));
	CU_ASSERT_PTR_NULL(tap_out_find(
	    "application/x-votable+xml;serialization=BINARY2;header=present",
	    &ct));
	CU_ASSERT_PTR_NULL(tap_out_find("text/xml;serialization=BINARY2",
	    &ct));
	CU_ASSERT_STRING_EQUAL(tap_out_find("text/xml", &ct)->name, "votable");
	CU_ASSERT_STRING_EQUAL(ct, "text/xml;charset=UTF-8");
	CU_ASSERT_STRING_EQUAL(tap_out_find("CSV", &ct)->name, "csv");
	CU_ASSERT_STRING_EQUAL(ct, "text/csv;header=present");
	CU_ASSERT_STRING_EQUAL(tap_out_find("text/csv; header=present",
	    &ct)->name, "csv");
	CU_ASSERT_PTR_NULL(tap_out_find("text/csv;header=absent", &ct));
	CU_ASSERT_STRING_EQUAL(tap_out_find("tsv", &ct)->name, "tsv");
	CU_ASSERT_STRING_EQUAL(tap_out_find("text/tab-separated-values",
	    &ct)->name, "tsv");
	CU_ASSERT_PTR_NULL(tap_out_find("fits", &ct));
	CU_ASSERT_PTR_NULL(tap_out_find("application/fits", &ct));
}

/* --- The handler, with a database that is certainly not there ---------- */

static struct config	 cfg;

static int
setup(void)
{
	char	 err[512];

	return config_from_text("[database]\n"
	    "conninfo = host=/nonexistent-rif-socket dbname=x\n"
	    "[tap]\nmaxrec_default = 100\nmaxrec_limit = 500\n", PROG_TAP,
	    &cfg, err, sizeof(err));
}

static int
teardown(void)
{
	config_free(&cfg);
	return 0;
}

static const char *
run(struct tap *t, const char *method, const char *path, const char *query,
    struct captured *c)
{
	struct service_run	 sr = { &tap_service, t, 0 };
	struct request		 r;

	req_get(&r, path, query);
	r.method = method;
	cap_init(c);
	service_dispatch(&sr, &r, &c->resp);
	resp_finish(&c->resp);
	return strbuf_str(&c->out);
}

static void
test_handler(void)
{
	struct tap	*t;
	struct captured	 c;
	char		 err[256];

	t = tap_service.start(&cfg, err, sizeof(err));
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap", "", &c),
	    "Status: 200 OK"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "Table Access Protocol"));
	cap_free(&c);
	/* The jobs are in the database, which is down; a bad id is not. */
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/async", "", &c),
	    "Status: 503"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/async/x-y/phase",
	    "", &c), "Status: 404"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "POST", "/tap/tables", "", &c),
	    "Status: 405"));
	cap_free(&c);
	/* What needs no database: the methods a UWS resource takes. */
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "DELETE", "/tap/async", "", &c),
	    "Allow: GET, POST, HEAD"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&c.out), "Status: 405"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "POST", "/tap/async/abc/quote",
	    "", &c), "Status: 405"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "DELETE", "/tap/async/abc/phase",
	    "", &c), "Status: 405"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "POST", "/tap/async/abc/phase",
	    "PHASE=FOO", &c), "Status: 400"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "DELETE", "/tap/sync", "", &c),
	    "Status: 405"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/tables",
	    "detail=all", &c), "Status: 400"));
	cap_free(&c);
	/* The catalogue comes from the database, which is down. */
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/tables", "", &c),
	    "Status: 503"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c),
	    "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">"));
	cap_free(&c);
	/* Usage and syntax errors need no database; the rest waits for it. */
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/sync",
	    "LANG=SQL&QUERY=SELECT+1", &c), "Status: 400"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "LANG: this service takes "
	    "ADQL"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/sync",
	    "LANG=ADQL&QUERY=SELECT+FROM", &c), "Status: 400"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "line 1, column 8: "));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/sync",
	    "LANG=ADQL&QUERY=SELECT+TOP+1+*+FROM+ivoa.obscore", &c),
	    "Status: 503"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/sync",
	    "LANG=ADQL&QUERY=SELECT+1&MAXREC=x", &c), "Status: 400"));
	cap_free(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(run(t, "GET", "/tap/capabilities", "",
	    &c), "<capability standardID=\"ivo://ivoa.net/std/TAP\" "
	    "xsi:type=\"tr:TableAccess\" xmlns:tr="));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "<hard unit=\"row\">500"
	    "</hard>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c),
	    "ivo://ivoa.net/std/VOSI#tables-1.1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(cap_body(&c), "<interface xsi:type="
	    "\"vs:ParamHTTP\" role=\"std\" version=\"1.1\"><accessURL "
	    "use=\"base\">http://example.org/tap</accessURL>"));
	cap_free(&c);
	tap_free(t);
}

void
suite_tap(void)
{
	CU_pSuite	 s = CU_add_suite("tap", setup, teardown);

	CU_add_test(s, "TAP_SCHEMA names as ADQL identifiers", test_ident);
	CU_add_test(s, "the catalogue from TAP_SCHEMA rows", test_catalog);
	CU_add_test(s, "ADQL against the catalogue", test_catalog_adql);
	CU_add_test(s, "VOSI tables", test_tableset);
	CU_add_test(s, "cells in their declared form", test_cells);
	CU_add_test(s, "output formats", test_formats);
	CU_add_test(s, "answers without a database", test_handler);
}
