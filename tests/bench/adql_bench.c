/*
 * adql-bench: the cost of turning ADQL into SQL, as tap.fcgi does it for
 * every query: parse, check against the catalogue read from TAP_SCHEMA,
 * emit.  The database is asked once, for the catalogue, as a worker asks
 * it; what is timed touches no database.
 *
 *   adql-bench -c CONFIG QUERIES
 *
 * The service's examples (/examples) are timed first, then the queries of
 * QUERIES, one ADQL query a block, blocks separated by blank lines ('#'
 * lines are comments).  Each is translated ITERATIONS times after a
 * warm-up; the mean of each is printed in microseconds, and the exit
 * status is 1 when any query fails to translate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_parse.h"
#include "config.h"
#include "strbuf.h"
#include "tap.h"
#include "tap_examples.h"
#include "tap_int.h"

#define WARMUP		1000
#define ITERATIONS	20000

static int
discard(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return 0;
}

/* One translation, as tap_sync makes it; -1 with ERR set when refused. */
static int
translate(const struct adql_catalog *cat, const char *q, struct strbuf *sql,
    char *err, size_t errsize)
{
	struct adql_tree	*t;
	int			 rc = -1;

	strbuf_reset(sql);
	if ((t = adql_parse(q, strlen(q), err, errsize)) != NULL &&
	    adql_check(t, cat, err, errsize) == 0)
		rc = adql_emit(t, 1000, sql);
	adql_tree_free(t);
	return rc;
}

static double
mean_us(const struct adql_catalog *cat, const char *q, struct strbuf *sql)
{
	struct timespec	 t0, t1;
	char		 err[512];

	for (int i = 0; i < WARMUP; i++)
		translate(cat, q, sql, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < ITERATIONS; i++)
		translate(cat, q, sql, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / ITERATIONS;
}

/* Time Q against CAT, or say why it does not translate: 0 or 1. */
static int
time_one(const struct adql_catalog *cat, const char *q, struct strbuf *sql)
{
	char	 err[512];

	if (translate(cat, q, sql, err, sizeof(err)) != 0) {
		fprintf(stderr, "adql-bench: %s\n  %s\n", err, q);
		return 1;
	}
	printf("%8.1f us  %.*s\n", mean_us(cat, q, sql), (int)strcspn(q, "\n"),
	    q);
	return 0;
}

/* Time each block of FP against CAT; the number that did not translate. */
static int
run(FILE *fp, const struct adql_catalog *cat)
{
	struct strbuf	 q = STRBUF_INIT, sql = STRBUF_INIT;
	char		 line[4096];
	int		 failed = 0, more = 1;

	/* An example that reads an upload has no table here to check. */
	for (const struct tap_example *e = tap_examples; e->id != NULL; e++)
		if (strstr(e->query, "TAP_UPLOAD") == NULL)
			failed += time_one(cat, e->query, &sql);
	while (more) {
		more = fgets(line, sizeof(line), fp) != NULL;
		if (more && *line == '#')
			continue;
		if (more && strspn(line, " \t\r\n") != strlen(line)) {
			strbuf_puts(&q, line);
			continue;
		}
		if (q.len == 0)
			continue;
		failed += time_one(cat, strbuf_str(&q), &sql);
		strbuf_reset(&q);
	}
	strbuf_free(&q);
	strbuf_free(&sql);
	return failed;
}

int
main(int argc, char *argv[])
{
	struct config			 cfg;
	struct tap			*t;
	struct response			 r;
	const struct tap_catalog	*cat;
	FILE				*fp;
	char				 err[1024];
	int				 failed;

	if (argc != 4 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: adql-bench -c config-file queries\n");
		return 2;
	}
	if (config_load(argv[2], &cfg, PROG_TAP, err, sizeof(err)) != 0 ||
	    (t = tap_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "adql-bench: %s\n", err);
		return 2;
	}
	resp_init(&r, discard, NULL);
	if ((cat = tap_catalog(t, &r)) == NULL ||
	    (fp = fopen(argv[3], "r")) == NULL) {
		fprintf(stderr, "adql-bench: no catalogue, or cannot read %s\n",
		    argv[3]);
		return 2;
	}
	failed = run(fp, &cat->adql);
	fclose(fp);
	tap_free(t);
	config_free(&cfg);
	return failed != 0;
}
