/*
 * Unit tests of the upstream clients' limits: the site table's index and
 * caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers.h"
#include "sites.h"
#include "strbuf.h"

/* A grafana list: N entries named R<i % DISTINCT>, latitude i. */
static char *
grafana_list(int n, int distinct)
{
	struct strbuf	 b = STRBUF_INIT;

	strbuf_puts(&b, "[");
	for (int i = 0; i < n; i++)
		strbuf_printf(&b, "%s{\"name\": \"R%d\", \"latitude\": %d, "
		    "\"longitude\": 0}", i > 0 ? ", " : "", i % distinct, i);
	strbuf_puts(&b, "]");
	return b.s;
}

/* Many entries, duplicates among them: every name found, the first wins. */
static void
test_sites_many(void)
{
	char			*g = grafana_list(3 * 5000, 5000), err[256], name[16];
	struct sites_table	*t;
	const struct site_rse	*r;
	int			 all = 1;

	t = sites_parse_scapi(g, "[]", "[]", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 5000);
	CU_ASSERT_EQUAL(t->dropped, 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "R%d", i);
		r = sites_find(t, name);
		all &= r != NULL && r->located && r->lat == i &&
		    strcmp(r->name, name) == 0 && r == &t->rses[i];
	}
	CU_ASSERT_TRUE(all);
	CU_ASSERT_PTR_NULL(sites_find(t, "R5000"));
	CU_ASSERT_PTR_NULL(sites_find(t, ""));
	sites_table_free(t);
	free(g);
}

/* Past SITES_RSE_MAX names, the rest are ignored; known names still work. */
static void
test_sites_cap(void)
{
	int			 n = SITES_RSE_MAX + 100;
	char			*g = grafana_list(n, n), err[256], name[16];
	struct sites_table	*t;
	const struct site_rse	*r;
	json_t			*svc;

	t = sites_parse_scapi(g, "[]", "[]", err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, SITES_RSE_MAX);
	CU_ASSERT_EQUAL(t->dropped, 100);
	snprintf(name, sizeof(name), "R%d", SITES_RSE_MAX - 1);
	CU_ASSERT_PTR_NOT_NULL(r = sites_find(t, name));
	CU_ASSERT_TRUE(r != NULL && r->lat == SITES_RSE_MAX - 1);
	snprintf(name, sizeof(name), "R%d", SITES_RSE_MAX);
	CU_ASSERT_PTR_NULL(sites_find(t, name));
	/* A service beside an area the table has no room for: skipped. */
	svc = json_pack("{s:s, s:s}", "type", "soda_sync", "host", "h");
	CU_ASSERT_EQUAL(sites_add_service(t, name, svc), 0);
	CU_ASSERT_PTR_NULL(sites_find(t, name));
	json_decref(svc);
	sites_table_free(t);
	free(g);
}

/*
 * SCAPI: services find their area through an index of the ids (the first
 * area of an id wins), and at most SITES_SERVICES_MAX of a kind are kept.
 */
static void
test_sites_services(void)
{
	struct strbuf		 a = STRBUF_INIT, v = STRBUF_INIT;
	char			*g = grafana_list(2000, 2000), err[256];
	struct sites_table	*t;
	const struct site_rse	*r;

	strbuf_puts(&a, "[");
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&a, "{\"id\": \"a%d\", \"name\": \"R%d\"}, ", i, i);
	strbuf_puts(&a, "{\"id\": \"a7\", \"name\": \"R8\"}]");
	strbuf_puts(&v, "[");
	for (int i = 0; i < 2000; i++)
		strbuf_printf(&v, "{\"type\": \"soda_sync\", \"host\": \"h%d\", "
		    "\"associated_storage_area_id\": \"a%d\"}, ", i, i);
	for (int i = 0; i < SITES_SERVICES_MAX + 5; i++)
		strbuf_printf(&v, "{\"type\": \"soda_async\", \"host\": \"x%d\", "
		    "\"associated_storage_area_id\": \"a3\"}, ", i);
	strbuf_puts(&v, "{\"type\": \"soda_sync\", \"host\": \"n\", "
	    "\"associated_storage_area_id\": \"nowhere\"}]");
	t = sites_parse_scapi(g, a.s, v.s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R7"));
	CU_ASSERT_EQUAL(r->nsync, 1);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "https://h7");
	CU_ASSERT_EQUAL(sites_find(t, "R8")->nsync, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R3"));
	CU_ASSERT_EQUAL(r->nasync, SITES_SERVICES_MAX);
	CU_ASSERT_STRING_EQUAL(r->async[SITES_SERVICES_MAX - 1].url,
	    "https://x31");
	CU_ASSERT_EQUAL(t->dropped, 5);
	sites_table_free(t);
	strbuf_free(&a);
	strbuf_free(&v);
	free(g);
}

/* 2023: every SODA service of a site beside each of its RSEs, capped. */
static void
test_sites_2023_many(void)
{
	struct strbuf		 v = STRBUF_INIT;
	char			 err[256];
	struct sites_table	*t;
	const struct site_rse	*r;

	strbuf_puts(&v, "[{\"name\": \"S\", \"services\": [");
	for (int i = 0; i < 500; i++)
		strbuf_printf(&v, "{\"type\": \"Rucio Storage Element (RSE)\", "
		    "\"identifier\": \"R%d\"}, {\"type\": \"SODA (sync)\", "
		    "\"host\": \"s%d\"}, ", i, i);
	strbuf_puts(&v, "{\"type\": \"SODA (async)\", \"host\": \"a\"}]},"
	    "{\"name\": \"T\", \"services\": [{\"type\": "
	    "\"Rucio Storage Element (RSE)\", \"identifier\": \"R0\"}]}]");
	t = sites_parse_2023("[]", v.s, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->n, 500);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r = sites_find(t, "R499"));
	CU_ASSERT_EQUAL(r->nsync, SITES_SERVICES_MAX);
	CU_ASSERT_STRING_EQUAL(r->sync[0].url, "https://s0");
	CU_ASSERT_STRING_EQUAL(r->sync[SITES_SERVICES_MAX - 1].url,
	    "https://s31");
	CU_ASSERT_EQUAL(r->nasync, 1);
	CU_ASSERT_EQUAL(sites_find(t, "R0")->nsync, SITES_SERVICES_MAX);
	sites_table_free(t);
	strbuf_free(&v);
}

void
suite_upstream(void)
{
	CU_pSuite	 s = CU_add_suite("upstream", NULL, NULL);

	CU_add_test(s, "site table: many names, duplicates", test_sites_many);
	CU_add_test(s, "site table: the cap on storage areas", test_sites_cap);
	CU_add_test(s, "site table: SCAPI services, area index, cap",
	    test_sites_services);
	CU_add_test(s, "site table: 2023 services per site", test_sites_2023_many);
}
