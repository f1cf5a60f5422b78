/*
 * Fuzz target: the answers of the upstreams (Rucio, the site directory, the
 * data-management API) through the parsers production calls, and the
 * replica choice over whatever they yield.  An upstream is trusted for its
 * data, never for its shape: a broken or hostile answer must give an error,
 * not a crash.
 *
 * The input is up to four parts separated by 0x1e (the record separator):
 *   1. a Rucio /replicas/list JSON line stream, also read as a
 *      data-management /data/locate answer and as a Python-literal
 *      datalinks value;
 *   2-4. the site directory's answers: grafana, storage areas and
 *      services (SCAPI), or grafana and services (2023).
 *
 * Built by tools/fuzz.sh with libFuzzer, ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "choose.h"
#include "did.h"
#include "dlmeta.h"
#include "dmapi.h"
#include "rucio.h"
#include "sites.h"

#define PARTS	4

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schemes[] = { "https", "davs", "root", NULL };

/* Every choice links.fcgi and the SODA proxy could make over F and T. */
static void
choose_all(const struct rucio_files *fs, const struct sites_table *t)
{
	struct choose_opts	 o = { .schemes = schemes, .located = 1,
				    .lat = 51.57, .lon = -1.31 };

	for (int i = 0; i < fs->n; i++) {
		struct candidate	*out;

		if ((out = calloc((size_t)fs->v[i].nrses + 1,
		    sizeof(*out))) == NULL)
			return;
		for (int k = 0; k < 4; k++) {
			o.sort = k & 1 ? CHOOSE_RANDOM : CHOOSE_NEAREST;
			o.must_soda = k >> 1;
			(void)choose_replicas(&fs->v[i], t, &o, out);
		}
		free(out);
	}
}

static void
fuzz_datalinks(const char *text)
{
	char	*json;
	json_t	*meta, *list;

	if ((json = dlmeta_pyliteral_to_json(text)) != NULL) {
		json_decref(json_loads(json, 0, NULL));
		free(json);
	}
	/* The prototype's form: the list as a Python literal in a string. */
	if ((meta = json_pack("{s:s}", "datalinks", text)) == NULL)
		return;
	json_decref(list = dlmeta_datalinks(meta));
	json_decref(meta);
}

static void
fuzz_parts(char *part[PARTS])
{
	struct did		 d = { "sp3531_soda", "a.fits" };
	struct rucio_files	 fs, dm;
	struct sites_table	*t, *own = NULL;
	char			 err[256];

	if (rucio_parse_replicas(part[0], &fs, err, sizeof(err)) == -1)
		memset(&fs, 0, sizeof(fs));
	if ((t = sites_parse_scapi(part[1], part[2], part[3], err,
	    sizeof(err))) != NULL) {
		choose_all(&fs, t);
		(void)sites_find(t, "SPSRC_STORM");
		sites_table_free(t);
	}
	if ((t = sites_parse_2023(part[1], part[2], err,
	    sizeof(err))) != NULL) {
		choose_all(&fs, t);
		sites_table_free(t);
	}
	rucio_files_free(&fs);
	if (dmapi_parse_locate(part[0], &d, &dm, &own, err, sizeof(err)) == 0) {
		choose_all(&dm, own);
		rucio_files_free(&dm);
		sites_table_free(own);
	}
	fuzz_datalinks(part[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text, *part[PARTS];
	int	 n = 1;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	part[0] = text;
	for (char *p = text; *p != '\0' && n < PARTS; p++)
		if (*p == '\x1e') {
			*p = '\0';
			part[n++] = p + 1;
		}
	while (n < PARTS)
		part[n++] = "";
	fuzz_parts(part);
	free(text);
	return 0;
}
