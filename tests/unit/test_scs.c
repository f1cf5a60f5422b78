/*
 * scs: parameter validation, the SQL it builds, polygon output, and the
 * handler's answers that need no database (errors, VOSI, a database down).
 */
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "helpers.h"
#include "obscore.h"
#include "params.h"
#include "scs.h"
#include "scs_query.h"
#include "votable.h"

static struct config	 cfg;

static int
setup(void)
{
	char	 err[512];

	/* A database that is certainly not there: the down case. */
	return config_from_text("[database]\n"
	    "conninfo = host=/nonexistent-rif-socket dbname=x\n"
	    "[scs]\nmax_sr = 10\nmaxrec_default = 100\nmaxrec_limit = 500\n",
	    PROG_SCS, &cfg, err, sizeof(err));
}

static int
teardown(void)
{
	config_free(&cfg);
	return 0;
}

/* Parse QUERY as a cone search; fills Q, or ERR with the message. */
static int
cone(const char *query, struct scs_query *q, char *err, size_t size)
{
	struct params	 p;
	struct request	 r;
	int		 rc = -1;

	req_get(&r, "/scs", query);
	if (params_parse(&p, &r, scs_rules, SCS__MAX, 64) != PARAMS_OK)
		params_error(&p, err, size);
	else
		rc = scs_query_parse(&p, &cfg.scs, q, err, size);
	params_free(&p);
	return rc;
}

static void
test_valid(void)
{
	struct scs_query q;
	char		 err[256];

	CU_ASSERT_EQUAL(cone("RA=10&DEC=20&SR=0.5", &q, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(q.ra, 10, 0);
	CU_ASSERT_EQUAL(q.verb, 2);
	CU_ASSERT_EQUAL(q.maxrec, 100);
	CU_ASSERT_PTR_NULL(q.format);
	/* RA is normalised into [0, 360). */
	CU_ASSERT_EQUAL(cone("ra=-10&dec=0&sr=1", &q, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(q.ra, 350, 1e-12);
	CU_ASSERT_EQUAL(cone("RA=360&DEC=0&SR=1", &q, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(q.ra, 0, 0);
	CU_ASSERT_EQUAL(cone("RA=725&DEC=0&SR=1", &q, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(q.ra, 5, 1e-12);
	CU_ASSERT_EQUAL(cone("RA=-1e-20&DEC=0&SR=1", &q, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(q.ra >= 0 && q.ra < 360);
	/* MAXREC above the hard limit is lowered to it. */
	CU_ASSERT_EQUAL(cone("RA=1&DEC=2&SR=0&MAXREC=100000&VERB=3", &q, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(q.maxrec, 500);
	CU_ASSERT_EQUAL(q.verb, 3);
	CU_ASSERT_EQUAL(cone("RA=1&DEC=90&SR=10&RESPONSEFORMAT=votable", &q,
	    err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(q.format, SCS_MIME);
	CU_ASSERT_EQUAL(cone("RA=1&DEC=90&SR=10&RESPONSEFORMAT=application/"
	    "x-votable%2Bxml;serialization=TABLEDATA", &q, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(q.format, VOT_MIME);
	/* Unknown parameters are ignored (SCS 1.03). */
	CU_ASSERT_EQUAL(cone("RA=1&DEC=2&SR=1&CAT=x&FORMAT=y", &q, err,
	    sizeof(err)), 0);
}

static void
invalid(const char *query, const char *msg)
{
	struct scs_query q;
	char		 err[256];

	CU_ASSERT_EQUAL(cone(query, &q, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, msg);
}

static void
test_invalid(void)
{
	invalid("DEC=1&SR=1", "RA: missing");
	invalid("RA=1&SR=1", "DEC: missing");
	invalid("RA=1&DEC=1", "SR: missing");
	invalid("RA=1&DEC=91&SR=1", "DEC: 91 is out of range [-90, 90]");
	invalid("RA=1&DEC=-90.5&SR=1", "DEC: -90.5 is out of range [-90, 90]");
	invalid("RA=x&DEC=1&SR=1", "RA: 'x' is not a decimal number");
	invalid("RA=1&DEC=1&SR=-1", "SR: -1 is out of range [0, 180]");
	invalid("RA=1&DEC=1&SR=11", "SR: 11 is larger than this service's "
	    "maximum search radius, 10 degrees");
	invalid("RA=1&RA=2&DEC=1&SR=1", "RA: given 2 times; it takes one value");
	invalid("RA=1&DEC=1&SR=1&VERB=4", "VERB: 4 is out of range [1, 3]");
	invalid("RA=1&DEC=1&SR=1&MAXREC=-1", "MAXREC: -1 is out of range [0, 1e+18]");
	invalid("RA=1&DEC=1&SR=1&RESPONSEFORMAT=csv", "RESPONSEFORMAT: this "
	    "service answers only in VOTable (TABLEDATA, UTF-8)");
	invalid("RA=1&DEC=1&SR=1&RESPONSEFORMAT=text/xml;charset=UTF-16",
	    "RESPONSEFORMAT: this service answers only in VOTable (TABLEDATA, "
	    "UTF-8)");
	invalid("RA=1&DEC=1&SR=1&RESPONSEFORMAT=a&RESPONSEFORMAT=b",
	    "RESPONSEFORMAT: given 2 times; it takes one value");
	invalid("RA=&DEC=1&SR=1", "RA: empty value");
	invalid("RA=nan&DEC=1&SR=1", "RA: 'nan' is not a decimal number");
}

static void
test_sql(void)
{
	struct strbuf	 b = STRBUF_INIT;

	CU_ASSERT_EQUAL(scs_sql(&b, "ivoa.obscore", 1, 0), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "FROM \"ivoa\".\"obscore\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "spoint(radians(s_ra), radians(s_dec)) "
	    "<@ scircle(spoint(radians($1::float8), radians($2::float8)), "
	    "radians($3::float8))"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "LIMIT $4::bigint"));
	CU_ASSERT_PTR_NULL(strstr(b.s, "s_region"));
	strbuf_reset(&b);
	CU_ASSERT_EQUAL(scs_sql(&b, "obscore", 3, 1), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "FROM \"obscore\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "<= radians($3::float8)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "s_region::text"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.s, "to_char(obs_release_date"));
	strbuf_free(&b);
}

static void
test_columns(void)
{
	int	 i, id = 0, ra = 0, dec = 0, v1 = 0, v2 = 0, v3 = 0;

	for (i = 0; i < obscore_ncols; i++) {
		const struct obscore_col *c = &obscore_cols[i];
		id += strcmp(c->f.ucd, "ID_MAIN") == 0;
		ra += strcmp(c->f.ucd, "POS_EQ_RA_MAIN") == 0;
		dec += strcmp(c->f.ucd, "POS_EQ_DEC_MAIN") == 0;
		v1 += c->verb == 1;
		v2 += c->verb <= 2;
		v3 += c->verb <= 3;
		/* VOTable UCDs have no spaces (VOTable 1.4 §3). */
		CU_ASSERT_PTR_NULL(strchr(c->f.ucd, ' '));
	}
	/* SCS 1.03: each of the three UCDs on exactly one column. */
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(ra, 1);
	CU_ASSERT_EQUAL(dec, 1);
	CU_ASSERT_TRUE(v1 < v2 && v2 < v3);
	/* The 30 mandatory and 30 optional ObsCore 1.1 columns, two Rucio ones. */
	CU_ASSERT_EQUAL(v3, 62);
}

static void
test_polygon(void)
{
	char	 buf[256];

	CU_ASSERT_STRING_EQUAL(obscore_region("{(10d , 10d),(11d , 10d),"
	    "(11d , 11.5d)}", buf, sizeof(buf)), "Polygon ICRS 10 10 11 10 11 11.5");
	CU_ASSERT_STRING_EQUAL(obscore_region("{(359.5d , -1e-05d),(0.5d , 0d),"
	    "(0d , 1d)}", buf, sizeof(buf)), "Polygon ICRS 359.5 -1e-05 0.5 0 0 1");
	CU_ASSERT_PTR_NULL(obscore_region("{(10d , 10d),(11d , 10d)}", buf,
	    sizeof(buf)));
	CU_ASSERT_PTR_NULL(obscore_region("<(10d , 10d) , 1d>", buf, sizeof(buf)));
	CU_ASSERT_PTR_NULL(obscore_region("{(10d , 10d),(11d , x)}", buf,
	    sizeof(buf)));
	CU_ASSERT_PTR_NULL(obscore_region("{(10d , 10d),(11d , 10d),(11d , 11d)}",
	    buf, 30));
}

static const char *
handle(struct scs *s, struct request *r, struct captured *c)
{
	struct service_run	 run = { &scs_service, s, 0 };

	cap_init(c);
	service_dispatch(&run, r, &c->resp);
	resp_finish(&c->resp);
	return strbuf_str(&c->out);
}

static void
test_handler_errors(void)
{
	char		 err[256];
	struct scs	*s = scs_new(&cfg, err, sizeof(err));
	struct request	 r;
	struct captured	 c;
	const char	*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	/* Cone Search 1.03: errors are VOTables with INFO name=Error, HTTP 200. */
	req_get(&r, "/scs", "RA=1&DEC=95&SR=1");
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: text/xml;charset=UTF-8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<INFO name=\"Error\" value=\"DEC: 95 "
	    "is out of range [-90, 90]\">"));
	cap_free(&c);

	req_get(&r, "/scs", "RA=1&DEC=5&SR=1");
	r.method = "DELETE";
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 405 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Allow: GET, POST, HEAD\r\n"));
	cap_free(&c);

	req_post(&r, "/scs", "RA=1&DEC=5&SR=1");
	r.body_too_large = 1;
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 413 "));
	cap_free(&c);

	/* The database is down: 503 with the error document, not a crash. */
	req_get(&r, "/scs", "RA=1&DEC=5&SR=1");
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 503 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<INFO name=\"Error\" value=\"The "
	    "catalogue database is unavailable"));
	cap_free(&c);

	/* SR=0 needs no database: the metadata, no rows. */
	req_get(&r, "/scs", "RA=1&DEC=5&SR=0&VERB=1");
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Status: 200 OK\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<FIELD name=\"_r\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<TABLEDATA>\n</TABLEDATA>"));
	CU_ASSERT_PTR_NULL(strstr(out, "<TR>"));
	CU_ASSERT_PTR_NULL(strstr(out, "OVERFLOW"));
	CU_ASSERT_PTR_NULL(strstr(out, "name=\"s_region\""));
	cap_free(&c);
	scs_free(s);
}

static void
test_vosi(void)
{
	char		 err[256];
	struct scs	*s = scs_new(&cfg, err, sizeof(err));
	struct request	 r;
	struct captured	 c;
	const char	*out;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	req_get(&r, "/scs/availability", "");
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<vosi:available>false</vosi:available>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
	    "xmlns:vosi=\"http://www.ivoa.net/xml/VOSIAvailability/v1.0\""));
	cap_free(&c);

	req_get(&r, "/scs/capabilities", "");
	r.host = "example.org:8080";
	out = handle(s, &r, &c);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "standardID=\"ivo://ivoa.net/std/ConeSearch\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "http://example.org:8080/scs?</accessURL>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
	    "http://example.org:8080/scs/availability</accessURL>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<maxSR>10</maxSR>"));
	cap_free(&c);
	scs_free(s);
}

void
suite_scs(void)
{
	CU_pSuite	 s = CU_add_suite("scs", setup, teardown);

	CU_add_test(s, "valid cones, RA normalised, MAXREC capped", test_valid);
	CU_add_test(s, "invalid cones, with their messages", test_invalid);
	CU_add_test(s, "the SQL: indexed cone, wide cone, columns", test_sql);
	CU_add_test(s, "column table: SCS UCDs once, all ObsCore columns", test_columns);
	CU_add_test(s, "pgSphere polygons become STC-S", test_polygon);
	CU_add_test(s, "handler: errors, 405, 413, database down, SR=0", test_handler_errors);
	CU_add_test(s, "VOSI availability and capabilities", test_vosi);
}
