/*
 * Fuzz target: one request's parameters through the same functions
 * production calls (params_parse with the cone search's table, then the SCS
 * validation, and the SODA proxy's request check with its upstream URL),
 * plus, on the same bytes, the XML escaper, the polygon reader, the SODA
 * cutout parameters, the DID and dataset-ID readers with the upstream paths
 * built from them (which must never climb), RESPONSEFORMAT, the relay's
 * error-document check and the header reader.  The first input byte
 * chooses query string or form body; with its top bit set as well, the
 * body is multipart/form-data: the first line of the input is its
 * Content-Type, and every byte after that line, NULs too, the body, which
 * the multipart reader also reads on its own.
 *
 * Built by tools/fuzz.sh with libFuzzer, ASan and UBSan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cut.h"
#include "did.h"
#include "http.h"
#include "multipart.h"
#include "obscore.h"
#include "params.h"
#include "relay.h"
#include "request.h"
#include "scs_query.h"
#include "soda_params.h"
#include "strbuf.h"
#include "votable.h"
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

/* A DID that parses gives upstream paths that stay under their prefix. */
static void
fuzz_did(const char *text)
{
	struct did	 d;
	struct strbuf	 u = STRBUF_INIT;
	char		 err[256], path[DID_STR_MAX];

	if (did_parse_id(text, &d, err, sizeof(err)) == 0) {
		strbuf_puts(&u, "https://dm.test/api/v1/data/locate");
		if (http_add_segment(&u, d.scope) != 0 ||
		    http_add_path(&u, d.name) != 0 ||
		    http_url_climbs(strbuf_str(&u)) ||
		    did_path(&d, path, sizeof(path)) == NULL)
			abort();
	}
	strbuf_free(&u);
}

/* Every part the reader gives lies inside the body, and has a name. */
static void
fuzz_multipart(const struct request *req)
{
	struct mp_reader	 r;
	struct mp_part		 part;
	const char		*end = req->body + req->body_len;
	int			 rc;

	if (mp_open(&r, req->content_type, req->body, req->body_len, 8) == -1)
		return;
	while ((rc = mp_next(&r, &part)) == 1)
		if (part.name == NULL || part.data < req->body ||
		    part.len > (size_t)(end - part.data) || r.nparts > 8)
			abort();
	if (rc == -1 && (r.why[0] == '\0' || mp_next(&r, &part) != -1))
		abort();
}

/* The Content-Type line and the multipart body after it, into REQ. */
static void
multipart_request(struct request *req, const char *text, size_t len,
    char *ctype, size_t ctsize)
{
	const char	*nl = memchr(text, '\n', len);
	size_t		 n = nl != NULL ? (size_t)(nl - text) : len;

	snprintf(ctype, ctsize, "%.*s", (int)n, text);
	req->content_type = ctype;
	req->body = nl != NULL ? nl + 1 : text + len;
	req->body_len = (size_t)(text + len - req->body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_scs cfg = { .max_sr = 10, .maxrec_default = 100,
			    .maxrec_limit = 1000 };
	struct request	 req = { .method = "GET", .path = "/scs", .query = "",
			    .content_type = "application/x-www-form-urlencoded",
			    .remote_addr = "", .scheme = "http", .host = "",
			    .body = "" };
	struct params	 p;
	struct scs_query q;
	struct strbuf	 b = STRBUF_INIT;
	char		*text, err[256], poly[512], ctype[256];

	if (size == 0)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if ((data[0] & 0x81) == 0x81) {
		multipart_request(&req, text, size - 1, ctype, sizeof(ctype));
		fuzz_multipart(&req);
	} else if (data[0] & 1) {
		req.body = text;
		req.body_len = strlen(text);
	} else
		req.query = text;
	if (params_parse(&p, &req, scs_rules, SCS__MAX, 64) == PARAMS_OK)
		(void)scs_query_parse(&p, &cfg, &q, err, sizeof(err));
	else
		(void)params_error(&p, err, sizeof(err));
	params_free(&p);
	fuzz_soda_request(&req, data[0] & 2 ? ID_FORM_DID : ID_FORM_PATH);
	(void)xml_escape(&b, (const char *)data, size, data[0] & 2 ? 1 : 0);
	strbuf_free(&b);
	(void)obscore_region(text, poly, sizeof(poly));
	(void)soda_param((enum soda_kind)(data[0] % 6), text, &b, err,
	    sizeof(err));
	strbuf_free(&b);
	fuzz_did(text);
	(void)http_url_climbs(text);
	(void)http_url_encode(&b, text);
	strbuf_free(&b);
	(void)vot_format_type(text, VOT_MIME ";content=datalink");
	(void)relay_is_error_doc(data[0] & 2 ? "text/plain" :
	    "application/x-votable+xml", text);
	(void)http_header(text, "Content-Type", err, sizeof(err));
	free(text);
	return 0;
}
