/* config: defaults, every kind of refusal, with the key named. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "helpers.h"
#include "log.h"

static int
load(const char *text, struct config *cfg, char *err, size_t size)
{
	int	 rc = config_from_text(text, PROG_ALL, cfg, err, size);

	CU_ASSERT_FATAL(rc != -2);
	return rc;
}

static void
test_defaults(void)
{
	struct config	 cfg;
	char		 err[512];

	CU_ASSERT_EQUAL(load("[database]\nconninfo = dbname=x host=/tmp\n",
	    &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.database.conninfo, "dbname=x host=/tmp");
	CU_ASSERT_STRING_EQUAL(cfg.scs.table, "ivoa.obscore");
	CU_ASSERT_EQUAL(cfg.scs.maxrec_default, 1000);
	CU_ASSERT_DOUBLE_EQUAL(cfg.scs.max_sr, 180, 0);
	CU_ASSERT_EQUAL(cfg.database.statement_timeout, 10000);
	CU_ASSERT_STRING_EQUAL(cfg.scs.public_url, "");
	CU_ASSERT_EQUAL(cfg.sites.shape, SITES_SCAPI);
	CU_ASSERT_EQUAL(cfg.links.backend, BACKEND_RUCIO);
	CU_ASSERT_EQUAL(cfg.soda.id_form, ID_FORM_PATH);
	/* Bounded work and secure defaults (each has a test of its effect). */
	CU_ASSERT_EQUAL(cfg.request.send_timeout, 60000);
	CU_ASSERT_EQUAL(cfg.links.max_ids, 20);
	CU_ASSERT_EQUAL(cfg.links.request_timeout, 50000);
	CU_ASSERT_EQUAL(cfg.links.maxrec_limit, 100000);
	CU_ASSERT_STRING_EQUAL(cfg.links.public_url, "");
	CU_ASSERT_EQUAL(cfg.soda.min_rate, 1024);
	CU_ASSERT_EQUAL(cfg.soda.unsafe_plain_http_tokens, 0);
	config_free(&cfg);
	/* A word key holds the index of the word in its list. */
	CU_ASSERT_EQUAL(load("[database]\nconninfo = x\n[sites]\nshape = 2023\n"
	    "[links]\nbackend = dm\n[soda]\nid_form = did\n", &cfg, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.sites.shape, SITES_2023);
	CU_ASSERT_EQUAL(cfg.links.backend, BACKEND_DM);
	CU_ASSERT_EQUAL(cfg.soda.id_form, ID_FORM_DID);
	config_free(&cfg);
}

static void
test_per_program(void)
{
	struct config	 cfg;
	char		 err[512];
	const char	*path = write_temp("[links]\nmax_ids = 5\n");

	/* The DataLink and SODA programs never use the database. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL(config_load(path, &cfg, PROG_LINKS, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(cfg.links.max_ids, 5);
	config_free(&cfg);
	CU_ASSERT_EQUAL(config_load(path, &cfg, PROG_SODA, err, sizeof(err)), 0);
	config_free(&cfg);
	CU_ASSERT_EQUAL(config_load(path, &cfg, PROG_SCS, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "[database] conninfo: required"));
	unlink(path);
}

/* -k: each program lists exactly the keys it reads. */
static void
test_print_keys(void)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	config_print_keys(fp, PROG_SCS);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
	    "[database] conninfo = (required)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "[scs] max_sr = 180\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "[rucio]"));
	free(buf);
	buf = NULL;
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp = open_memstream(&buf, &len));
	config_print_keys(fp, PROG_LINKS);
	fclose(fp);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf,
	    "[links] backend = rucio\t# one of: rucio dm\n"));
	CU_ASSERT_PTR_NULL(strstr(buf, "[database]"));
	CU_ASSERT_PTR_NULL(strstr(buf, "[soda]"));
	free(buf);
}

static void
test_shipped_example(void)
{
	struct config	 cfg;
	char		 err[512];

	/* The documented example must load as it is. */
	CU_ASSERT_EQUAL(config_load("conf/rucio-ivoa.ini", &cfg, PROG_ALL, err,
	    sizeof(err)), 0);
	config_free(&cfg);
}

static void
refused(const char *text, const char *needle)
{
	struct config	 cfg;
	char		 err[512];

	CU_ASSERT_EQUAL(load(text, &cfg, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, needle));
}

static void
test_refusals(void)
{
	refused("[scs]\ntable = ivoa.obscore\n", "[database] conninfo: required");
	refused("[database]\nconninfo = x\ncolour = blue\n",
	    "unknown key \"colour\" in section [database]");
	refused("[database]\nconninfo = x\n[cache]\nttl = 1\n",
	    "unknown section [cache]");
	refused("[database]\nconninfo = x\nconnect_timeout = 0\n",
	    "[database] connect_timeout: \"0\" is not an integer in [1, 300]");
	refused("[database]\nconninfo = x\n[scs]\nmax_sr = 200\n",
	    "[scs] max_sr: \"200\" is not a number in [0, 180]");
	refused("[database]\nconninfo = x\n[scs]\nmax_sr = wide\n", "max_sr");
	refused("[database]\nconninfo = x\n[log]\nlevel = loud\n",
	    "[log] level: \"loud\" is not one of");
	refused("[database]\nconninfo = x\n[scs]\ntable = obs-core\n",
	    "[scs] table:");
	refused("[database]\nconninfo = x\n[scs]\nmaxrec_default = 50\n"
	    "maxrec_limit = 10\n", "[scs] maxrec_default: 50 is above");
	refused("[database]\nconninfo = x\n[links]\nmaxrec_limit = 10\n",
	    "[links] maxrec_default: 10000 is above maxrec_limit (10)");
	refused("[database]\nconninfo = x\n[links]\nrequest_timeout = 5\n",
	    "request_timeout");
	refused("[database]\nconninfo = x\n[soda]\nmin_rate = -1\n",
	    "min_rate");
	refused("[database]\nconninfo = x\n[rucio]\noauth2_client_id = c\n",
	    "[oauth2] token_url: required by [rucio] oauth2_client_id");
	refused("[database]\nconninfo = x\n[sites]\noauth2_client_id = c\n",
	    "[oauth2] token_url: required by [sites] oauth2_client_id");
	refused("[database]\nconninfo = x\n[links]\nlink_auth_rses = A=true "
	    "B=maybe\n", "[links] link_auth_rses: \"B=maybe\" is not");
	refused("[database]\nconninfo = x\n[links]\nlink_auth_rses = =true\n",
	    "[links] link_auth_rses");
	refused("[database]\nconninfo = x\n[soda]\nid_form = url\n",
	    "[soda] id_form: \"url\" is not path or did");
	refused("[database]\nconninfo = x\n[sites]\nshape = 2024\n",
	    "[sites] shape: \"2024\" is not scapi or 2023");
	refused("[database]\nconninfo = x\n[links]\nbackend = Rucio\n",
	    "[links] backend: \"Rucio\" is not rucio or dm");
	refused("[database]\nconninfo = x\n[soda]\nmax_tries = 0\n",
	    "[soda] max_tries");
}

static void
test_sql_names(void)
{
	CU_ASSERT_TRUE(config_sql_name_ok("ivoa.obscore"));
	CU_ASSERT_TRUE(config_sql_name_ok("obscore"));
	CU_ASSERT_TRUE(config_sql_name_ok("_a1._b2"));
	CU_ASSERT_FALSE(config_sql_name_ok("a.b.c"));
	CU_ASSERT_FALSE(config_sql_name_ok("1a"));
	CU_ASSERT_FALSE(config_sql_name_ok("a\".b"));
	CU_ASSERT_FALSE(config_sql_name_ok(""));
	CU_ASSERT_FALSE(config_sql_name_ok("a."));
}

static void
test_log_one_line(void)
{
	FILE	*f = tmpfile();
	char	 buf[512];
	int	 saved = dup(STDERR_FILENO);
	size_t	 n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	/* PostgreSQL's errors have lines of their own; a client's bytes too. */
	log_error("cone query failed: ERROR:  canceled\nDETAIL:  x\r\n"
	    "2026-01-01T00:00:00Z scs[1] info: forged\x1b[0m\n");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " error: cone query failed: ERROR:  "
	    "canceled DETAIL:  x  2026-01-01T00:00:00Z scs[1] info: forged [0m\n"));
	CU_ASSERT_PTR_EQUAL(strchr(buf, '\n'), buf + n - 1);
}

void
suite_config(void)
{
	CU_pSuite	 s = CU_add_suite("config", NULL, NULL);

	CU_add_test(s, "defaults apply", test_defaults);
	CU_add_test(s, "the shipped example loads", test_shipped_example);
	CU_add_test(s, "a key is required only of who reads it",
	    test_per_program);
	CU_add_test(s, "bad files are refused, naming the key", test_refusals);
	CU_add_test(s, "table names", test_sql_names);
	CU_add_test(s, "-k lists the keys a program reads", test_print_keys);
	CU_add_test(s, "log: one event, one line", test_log_one_line);
}
