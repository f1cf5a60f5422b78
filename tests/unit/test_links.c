/*
 * The DataLink pieces: DIDs, distances, the Rucio and site-directory
 * parsers, replica choice, metadata datalinks, and the document written.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "choose.h"
#include "did.h"
#include "dlmeta.h"
#include "dmapi.h"
#include "finder.h"
#include "geo.h"
#include "helpers.h"
#include "ttlcache.h"
#include "http.h"
#include "linkset.h"
#include "rucio.h"
#include "sites.h"

static void
test_distance(void)
{
	/* RAL (UK) to Granada (ES): about 1,670 km. */
	double	 km = geo_distance_km(51.57, -1.31, 37.18, -3.60);

	CU_ASSERT(km > 1590 && km < 1640);
	CU_ASSERT_DOUBLE_EQUAL(geo_distance_km(10, 20, 10, 20), 0, 1e-9);
	/* Antipodes: half the circumference. */
	CU_ASSERT_DOUBLE_EQUAL(geo_distance_km(0, 0, 0, 180), M_PI * GEO_EARTH_KM,
	    1e-6);
	CU_ASSERT_DOUBLE_EQUAL(geo_distance_km(90, 0, -90, 0), M_PI * GEO_EARTH_KM,
	    1e-6);
}

static const char replicas[] =
    "{\"scope\": \"ds\", \"name\": \"f1.fits\", \"bytes\": 2880, "
    "\"rses\": {\"FAR\": [\"root://far/ds/f1.fits\", \"https://far/ds/f1.fits\"], "
    "\"NEAR\": [\"davs://near/ds/f1.fits\"], \"NOWHERE\": [\"https://x/f1\"]}, "
    "\"pfns\": {}}\n"
    "\n"
    "{\"scope\": \"ds\", \"name\": \"f2.fits\", \"rses\": {}, \"pfns\": {}}\n";

static void
test_rucio_lines(void)
{
	struct rucio_files	 fs;
	char			 err[256];

	CU_ASSERT_EQUAL_FATAL(rucio_parse_replicas(replicas, &fs, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(fs.n, 2);
	CU_ASSERT_STRING_EQUAL(fs.v[0].name, "f1.fits");
	CU_ASSERT_EQUAL(fs.v[0].bytes, 2880);
	CU_ASSERT_EQUAL(fs.v[0].nrses, 3);
	CU_ASSERT_STRING_EQUAL(fs.v[0].rses[0].name, "FAR");
	CU_ASSERT_EQUAL(fs.v[0].rses[0].npfns, 2);
	CU_ASSERT_EQUAL(fs.v[1].nrses, 0);
	CU_ASSERT_EQUAL(fs.v[1].bytes, -1);
	rucio_files_free(&fs);
	CU_ASSERT_EQUAL(rucio_parse_replicas("", &fs, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fs.n, 0);
	CU_ASSERT_EQUAL(rucio_parse_replicas("{\"scope\": \"a\"", &fs, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(rucio_parse_replicas("[1, 2]\n", &fs, err, sizeof(err)), -1);
}

static const char grafana[] =
    "[{\"key\": \"NEAR\", \"name\": \"NEAR\", \"latitude\": 51.5, \"longitude\": -1.3},"
    " {\"key\": \"FAR\", \"name\": \"FAR\", \"latitude\": -31.9, \"longitude\": 115.9},"
    " {\"key\": \"FAR\", \"name\": \"FAR\", \"latitude\": 0, \"longitude\": 0},"
    " {\"key\": null, \"name\": null}]";
static const char areas[] =
    "[{\"id\": \"a-near\", \"name\": \"NEAR\"}, {\"id\": \"a-far\", \"name\": \"FAR\"},"
    " {\"id\": \"a-ingest\", \"name\": null}]";
static const char services[] =
    "[{\"type\": \"soda_sync\", \"prefix\": \"https://\", \"host\": \"soda.far\","
    "  \"port\": null, \"path\": \"soda/sync\", \"associated_storage_area_id\": \"a-far\","
    "  \"other_attributes\": {\"resourceIdentifier\": {\"value\": \"ivo://far/soda\"}}},"
    " {\"type\": \"soda_async\", \"prefix\": \"https\", \"host\": \"soda.far\","
    "  \"port\": 8443, \"path\": \"/uws\", \"associated_storage_area_id\": \"a-far\","
    "  \"other_attributes\": {}},"
    " {\"type\": \"soda_sync\", \"prefix\": \"https\", \"host\": \"lost\","
    "  \"associated_storage_area_id\": null},"
    " {\"type\": \"jupyterhub\", \"host\": \"x\", \"associated_storage_area_id\": \"a-near\"}]";

static void
test_sites(void)
{
	struct sites_table	*t;
	const struct site_rse	*r;
	char			 err[256], *u;

	t = sites_parse_scapi(grafana, areas, services, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	r = sites_find(t, "FAR");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* The same RSE under two sites: the first position wins. */
	CU_ASSERT_DOUBLE_EQUAL(r->lat, -31.9, 0);
	CU_ASSERT_EQUAL(r->nsync, 1);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "https://soda.far/soda/sync");
	CU_ASSERT_STRING_EQUAL(r->sync[0].ivoid, "ivo://far/soda");
	CU_ASSERT_EQUAL(r->nasync, 1);
	CU_ASSERT_STRING_EQUAL(r->async[0].url, "https://soda.far:8443/uws");
	CU_ASSERT_PTR_NULL(r->async[0].ivoid);
	r = sites_find(t, "NEAR");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->nsync, 0);
	CU_ASSERT_PTR_NULL(sites_find(t, "NOWHERE"));
	sites_table_free(t);
	CU_ASSERT_PTR_NULL(sites_parse_scapi("{}", areas, services, err, sizeof(err)));
	CU_ASSERT_PTR_NULL(sites_parse_scapi(grafana, areas, "oops", err, sizeof(err)));
	u = sites_service_url("https://", "https://h.example", 0, "p");
	CU_ASSERT_STRING_EQUAL(u, "https://h.example/p");
	free(u);
	CU_ASSERT_PTR_NULL(sites_service_url("https", NULL, 1, "/p"));
}

static void
test_sites_2023(void)
{
	const char		 g[] = "[{\"key\": \"SPSRC_STORM\", \"name\": "
	    "\"SPSRC_STORM\", \"latitude\": 37.1342, \"longitude\": -3.613}]";
	const char		 v[] = "[{\"name\": \"SPSRC\", \"services\": ["
	    "{\"type\": \"Rucio Storage Element (RSE)\", \"identifier\": "
	    "\"SPSRC_STORM\", \"prefix\": \"https\", \"host\": \"s14\"},"
	    "{\"type\": \"SODA (sync)\", \"prefix\": \"http\", \"host\": "
	    "\"spsrc33.iaa.csic.es\", \"port\": 18022, \"path\": \"/soda\","
	    " \"other_attributes\": {\"resourceIdentifier\": {\"value\": "
	    "\"ivo://skao.src/spsrc-soda/\"}}},"
	    "{\"type\": \"SODA (async)\", \"prefix\": \"http\", \"host\": "
	    "\"spsrc33.iaa.csic.es\", \"port\": 18022, \"path\": "
	    "\"/soda_uws/soda_cuts/\"}]},"
	    "{\"name\": \"CNAF\", \"services\": []}]";
	struct sites_table	*t;
	const struct site_rse	*r;
	char			 err[256];

	t = sites_parse_2023(g, v, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	r = sites_find(t, "SPSRC_STORM");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(r->located);
	CU_ASSERT_EQUAL(r->nsync, 1);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "http://spsrc33.iaa.csic.es:18022/soda");
	CU_ASSERT_STRING_EQUAL(r->sync[0].ivoid, "ivo://skao.src/spsrc-soda/");
	CU_ASSERT_EQUAL(r->nasync, 1);
	sites_table_free(t);
	CU_ASSERT_PTR_NULL(sites_parse_2023(g, "{}", err, sizeof(err)));
}

/* One choice and one sentence per fault, for both protocols to label. */
static void
test_finder_choose(void)
{
	const char *const	 prefer[] = { "https", "davs", NULL };
	struct replicas		 rep = { .table = NULL };
	struct placement	 p = { .choose = { CHOOSE_NEAREST, 0, 1, 51.57,
				    -1.31, prefer } };
	struct candidate	*c = NULL;
	char			 err[256];
	int			 n;

	CU_ASSERT_EQUAL_FATAL(rucio_parse_replicas(replicas, &rep.files, err,
	    sizeof(err)), 0);
	rep.own = sites_parse_scapi(grafana, areas, services, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rep.own);
	rep.table = rep.own;
	CU_ASSERT_EQUAL(finder_choose(&rep.files.v[0], &rep, &p, 2, &c, &n, err,
	    sizeof(err)), FIND_OK);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(c[0].rse->name, "NEAR");
	free(c);
	CU_ASSERT_EQUAL(finder_choose(&rep.files.v[0], &rep, &p, 3, &c, &n, err,
	    sizeof(err)), FIND_RANKING);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ranking 3 asked, but "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, " has 3 usable replicas"));
	p.choose.must_soda = 1;
	CU_ASSERT_EQUAL(finder_choose(&rep.files.v[0], &rep, &p, 1, &c, &n, err,
	    sizeof(err)), FIND_RANKING);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, " has 1 usable replica"));
	{
		const char *const gsiftp[] = { "gsiftp", NULL };

		p.choose.schemes = gsiftp;
		CU_ASSERT_EQUAL(finder_choose(&rep.files.v[0], &rep, &p, 0, &c,
		    &n, err, sizeof(err)), FIND_NO_REPLICA);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "has a SODA service beside "
		    "it"));
		p.choose.must_soda = 0;
		CU_ASSERT_EQUAL(finder_choose(&rep.files.v[0], &rep, &p, 0, &c,
		    &n, err, sizeof(err)), FIND_NO_REPLICA);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "is in an accepted scheme"));
	}
	replicas_release(&rep);
	CU_ASSERT_PTR_NULL(rep.own);
	CU_ASSERT_EQUAL(rep.files.n, 0);
}

static void
test_choose(void)
{
	const char *const	 prefer[] = { "https", "davs", NULL };
	struct rucio_files	 fs;
	struct sites_table	*t;
	struct candidate	 c[4];
	struct choose_opts	 o = { CHOOSE_NEAREST, 0, 1, 51.57, -1.31, prefer };
	char			 err[256];
	int			 n;

	CU_ASSERT_EQUAL_FATAL(rucio_parse_replicas(replicas, &fs, err, sizeof(err)), 0);
	t = sites_parse_scapi(grafana, areas, services, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	n = choose_replicas(&fs.v[0], t, &o, c);
	CU_ASSERT_EQUAL(n, 3);
	/* Nearest first; the unplaced RSE last; the preferred scheme. */
	CU_ASSERT_STRING_EQUAL(c[0].rse->name, "NEAR");
	CU_ASSERT_STRING_EQUAL(c[0].pfn, "davs://near/ds/f1.fits");
	CU_ASSERT_STRING_EQUAL(c[1].rse->name, "FAR");
	CU_ASSERT_STRING_EQUAL(c[1].pfn, "https://far/ds/f1.fits");
	CU_ASSERT(c[1].km > c[0].km);
	CU_ASSERT_STRING_EQUAL(c[2].rse->name, "NOWHERE");
	CU_ASSERT(c[2].km < 0);
	/* Only RSEs with SODA beside them. */
	o.must_soda = 1;
	n = choose_replicas(&fs.v[0], t, &o, c);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(c[0].rse->name, "FAR");
	/* A client that could not be placed: Rucio's order. */
	o.must_soda = 0;
	o.located = 0;
	n = choose_replicas(&fs.v[0], t, &o, c);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_STRING_EQUAL(c[0].rse->name, "FAR");
	/* Only root:// accepted: one RSE has it. */
	{
		const char *const root[] = { "root", NULL };
		o.schemes = root;
		CU_ASSERT_EQUAL(choose_replicas(&fs.v[0], t, &o, c), 1);
	}
	{
		enum choose_sort s = CHOOSE_RANDOM;
		CU_ASSERT_EQUAL(choose_sort_parse(NULL, &s), 0);
		CU_ASSERT_EQUAL(s, CHOOSE_NEAREST);
		CU_ASSERT_EQUAL(choose_sort_parse("random", &s), 0);
		CU_ASSERT_EQUAL(s, CHOOSE_RANDOM);
		CU_ASSERT_EQUAL(choose_sort_parse("nearest_by_ip", &s), 0);
		CU_ASSERT_EQUAL(s, CHOOSE_NEAREST);
		CU_ASSERT_EQUAL(choose_sort_parse("closest", &s), -1);
	}
	sites_table_free(t);
	rucio_files_free(&fs);
}

static void
test_datalinks_meta(void)
{
	json_t	*m, *l;
	char	*j;

	j = dlmeta_pyliteral_to_json("[{'access_url': 'https://h/p?a=1', "
	    "'semantics': '#preview', 'n': 3, 'ok': True, 'x': None, "
	    "'q': 'it\\'s \"quoted\"'}]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(j, "[{\"access_url\": \"https://h/p?a=1\", "
	    "\"semantics\": \"#preview\", \"n\": 3, \"ok\": true, \"x\": null, "
	    "\"q\": \"it's \\\"quoted\\\"\"}]");
	free(j);
	CU_ASSERT_PTR_NULL(dlmeta_pyliteral_to_json("[__import__('os')]"));
	CU_ASSERT_PTR_NULL(dlmeta_pyliteral_to_json("['unterminated]"));

	m = json_loads("{\"datalinks\": \"[{'access_url': 'u', 'semantics': "
	    "'#auxiliary'}]\", \"content_length\": \"1234\"}", 0, NULL);
	l = dlmeta_datalinks(m);
	CU_ASSERT_EQUAL(json_array_size(l), 1);
	CU_ASSERT_EQUAL(dlmeta_length(m), 1234);
	json_decref(l);
	json_decref(m);
	m = json_loads("{\"datalinks\": [{\"access_url\": \"u\"}], "
	    "\"content_length\": 7}", 0, NULL);
	l = dlmeta_datalinks(m);
	CU_ASSERT_EQUAL(json_array_size(l), 1);
	CU_ASSERT_EQUAL(dlmeta_length(m), 7);
	json_decref(l);
	json_decref(m);
}

static void
test_linkset(void)
{
	struct linkset	 ls;
	struct link_row	*r;
	struct captured	 c;
	const char	*sid, *out;

	memset(&ls, 0, sizeof(ls));
	r = linkset_row(&ls, "a:b&c", "#this");
	linkset_set(&ls, &r->access_url, "https://h/p?x=1&y=2");
	r->content_length = 42;
	r->link_auth = "true";
	sid = linkset_service(&ls, 0, "https://soda/sync", NULL, "ivo://a?b/c");
	r = linkset_row(&ls, "a:b&c", "#cutout");
	linkset_set(&ls, &r->service_def, sid);
	linkset_fault(&ls, "bad", "NotFoundFault", "no such DID");
	CU_ASSERT_FALSE(linkset_all_transient(&ls));
	cap_init(&c);
	linkset_write(&ls, &c.resp, "application/x-votable+xml;content=datalink");
	out = strbuf_str(&c.out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Content-Type: application/x-votable+xml;"
	    "content=datalink\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<INFO name=\"standardID\" "
	    "value=\"ivo://ivoa.net/std/DataLink#links-1.1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<TR><TD>a:b&amp;c</TD><TD>https://h/p?"
	    "x=1&amp;y=2</TD><TD/><TD/><TD/><TD>#this</TD><TD/><TD>42</TD>"
	    "<TD>true</TD><TD/></TR>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<TD>soda0</TD><TD/><TD/><TD>#cutout</TD>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<TD>NotFoundFault: no such DID</TD>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<RESOURCE type=\"meta\" utype=\"adhoc:"
	    "service\" ID=\"soda0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "value=\"ivo://ivoa.net/std/SODA#sync-1.0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<GROUP name=\"inputParams\">"));
	cap_free(&c);
	linkset_truncate(&ls, 1, 0);
	CU_ASSERT_EQUAL(ls.nrows, 1);
	CU_ASSERT_EQUAL(ls.nservices, 0);
	linkset_free(&ls);

	memset(&ls, 0, sizeof(ls));
	linkset_fault(&ls, "x:y", "TransientFault", "down");
	CU_ASSERT_TRUE(linkset_all_transient(&ls));
	linkset_free(&ls);
}

static void
test_dm_locate(void)
{
	const char		 body[] = "[{\"identifier\": \"ES\", "
	    "\"associated_storage_area_id\": \"u1\", \"replicas\": "
	    "[\"davs://es/a\", \"https://es/a\"], \"colocated_services\": "
	    "[{\"type\": \"soda_sync\", \"prefix\": \"https\", \"host\": "
	    "\"soda.es\", \"port\": 443, \"path\": \"/s\"}]}, "
	    "{\"identifier\": \"UK\", \"replicas\": [\"root://uk/a\"], "
	    "\"colocated_services\": []}]";
	struct did		 d;
	struct rucio_files	 fs;
	struct sites_table	*t;
	char			 err[256];

	CU_ASSERT_EQUAL_FATAL(did_parse("s:a", &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(dmapi_parse_locate(body, &d, &fs, &t, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(fs.n, 1);
	CU_ASSERT_EQUAL(fs.v[0].nrses, 2);
	CU_ASSERT_STRING_EQUAL(fs.v[0].rses[0].name, "ES");
	CU_ASSERT_EQUAL(fs.v[0].rses[0].npfns, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sites_find(t, "ES"));
	CU_ASSERT_EQUAL(sites_find(t, "ES")->nsync, 1);
	CU_ASSERT_STRING_EQUAL(sites_find(t, "ES")->sync[0].url,
	    "https://soda.es:443/s");
	CU_ASSERT_FALSE(sites_find(t, "ES")->located);
	sites_table_free(t);
	rucio_files_free(&fs);
	/* Located nowhere: no file.  Not a list: an error. */
	CU_ASSERT_EQUAL(dmapi_parse_locate("[]", &d, &fs, &t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(fs.n, 0);
	CU_ASSERT_EQUAL(dmapi_parse_locate("{\"ES\": []}", &d, &fs, &t, err,
	    sizeof(err)), -1);
}

static void
test_ttlcache(void)
{
	struct ttlcache	*c = ttlcache_new(1, 100), *gone = ttlcache_new(8, 0);
	json_t		*v = json_pack("{s:s}", "content_type", "image/fits"), *got;

	CU_ASSERT_PTR_NULL(ttlcache_get(c, "a:b"));
	ttlcache_put(c, "a:b", v);
	got = ttlcache_get(c, "a:b");
	CU_ASSERT_PTR_EQUAL(got, v);
	json_decref(got);
	/* One slot: a second key takes it over. */
	ttlcache_put(c, "a:c", json_null());
	CU_ASSERT_PTR_NULL(ttlcache_get(c, "a:b"));
	got = ttlcache_get(c, "a:c");
	CU_ASSERT_TRUE(json_is_null(got));
	json_decref(got);
	/* A time-to-live of 0 keeps nothing. */
	ttlcache_put(gone, "a:b", v);
	CU_ASSERT_PTR_NULL(ttlcache_get(gone, "a:b"));
	json_decref(v);
	ttlcache_free(c);
	ttlcache_free(gone);
}

void
suite_links(void)
{
	CU_pSuite	 s = CU_add_suite("links", NULL, NULL);

	CU_add_test(s, "great-circle distances", test_distance);
	CU_add_test(s, "Rucio JSON line stream", test_rucio_lines);
	CU_add_test(s, "site directory (SCAPI) and its quirks", test_sites);
	CU_add_test(s, "site directory (2023 shape)", test_sites_2023);
	CU_add_test(s, "replica choice: distance, SODA, schemes", test_choose);
	CU_add_test(s, "finder: a fault and its sentence per choice",
	    test_finder_choose);
	CU_add_test(s, "metadata datalinks: JSON and Python literal", test_datalinks_meta);
	CU_add_test(s, "the DataLink document", test_linkset);
	CU_add_test(s, "data-management API /data/locate", test_dm_locate);
	CU_add_test(s, "metadata cache: hits, takeover, expiry", test_ttlcache);
}
