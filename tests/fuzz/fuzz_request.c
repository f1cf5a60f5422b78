/*
 * Fuzz target: one request's parameters through the same functions
 * production calls (params_parse with the cone search's table, then the SCS
 * validation, and the SODA proxy's request check with its upstream URL),
 * plus the XML escaper, the polygon reader and the SODA cutout parameters
 * on the same bytes.  The first input byte chooses query string or form
 * body.
 *
 * Built by tools/fuzz.sh with libFuzzer, ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cut.h"
#include "obscore.h"
#include "params.h"
#include "request.h"
#include "scs_query.h"
#include "soda_params.h"
#include "strbuf.h"
#include "xmlw.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_soda_request(const struct request *req, enum soda_id_form form)
{
	struct soda_cut		 c;
	struct soda_refusal	 why;
	struct strbuf		 u = STRBUF_INIT;

	if (soda_cut_parse(&c, req, 64, &why) == 0)
		(void)soda_cut_url(&c, "https://site.test/soda", form,
		    "auth.test/fits", &u);
	strbuf_free(&u);
	soda_cut_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 cfg = { .scs_max_sr = 10, .scs_maxrec_default = 100,
			    .scs_maxrec_limit = 1000 };
	struct request	 req = { .method = "GET", .path = "/scs", .query = "",
			    .content_type = "application/x-www-form-urlencoded",
			    .remote_addr = "", .scheme = "http", .host = "",
			    .body = "" };
	struct params	 p;
	struct scs_query q;
	struct strbuf	 b = STRBUF_INIT;
	char		*text, err[256], poly[512];

	if (size == 0)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1) {
		req.body = text;
		req.body_len = strlen(text);
	} else
		req.query = text;
	if (params_parse(&p, &req, scs_rules, SCS__MAX, 64) == PARAMS_OK)
		(void)scs_query_parse(&p, &cfg, &q, err, sizeof(err));
	else
		(void)params_error(&p, err, sizeof(err));
	params_free(&p);
	fuzz_soda_request(&req, data[0] & 2 ? SODA_ID_DID : SODA_ID_PATH);
	(void)xml_escape(&b, (const char *)data, size, data[0] & 2 ? 1 : 0);
	strbuf_free(&b);
	(void)obscore_region(text, poly, sizeof(poly));
	(void)soda_param((enum soda_kind)(data[0] % 6), text, &b, err,
	    sizeof(err));
	strbuf_free(&b);
	free(text);
	return 0;
}
