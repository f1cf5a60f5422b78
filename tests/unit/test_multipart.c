/*
 * multipart: form-data bodies as pyvo, curl and others send them, every
 * refusal with its sentence, and the parts as params_parse() keeps them.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "multipart.h"
#include "params.h"

/* A literal body that may hold NUL bytes, and its length. */
#define BODY(s)		s, sizeof(s) - 1
#define CD(n)		"Content-Disposition: form-data; name=\"" n "\"\r\n"
#define CTYPE_B		"multipart/form-data; boundary=b"

/* What python requests (pyvo's run_sync with uploads) sends. */
#define PYVO_B		"e5b4a3f2c1d0e9f8a7b6c5d4e3f2a1b0"
#define PYVO_CTYPE	"multipart/form-data; boundary=" PYVO_B
#define PYVO_TABLE	"<VOTABLE>\0\r\n\x01\xff--" PYVO_B "\r\n" \
			"\r\n-- \r\n--" "e5b4a3f2c1d0 \n--" PYVO_B "--</VOTABLE>"
static const char pyvo_body[] =
    "--" PYVO_B "\r\n" CD("REQUEST") "\r\n" "doQuery\r\n"
    "--" PYVO_B "\r\n" CD("LANG") "\r\n" "ADQL\r\n"
    "--" PYVO_B "\r\n" CD("QUERY") "\r\n" "SELECT * FROM TAP_UPLOAD.t1\r\n"
    "--" PYVO_B "\r\n" CD("UPLOAD") "\r\n" "t1,param:t1\r\n"
    "--" PYVO_B "\r\n"
    "Content-Disposition: form-data; name=\"t1\"; filename=\"t1\"\r\n"
    "Content-Type: application/octet-stream\r\n"
    "\r\n" PYVO_TABLE "\r\n"
    "--" PYVO_B "--\r\n";

enum { R_REQUEST, R_LANG, R_QUERY, R_UPLOAD, R_MAXREC, R__MAX };

static const struct param_rule tap_rules[R__MAX] = {
	[R_REQUEST] = { .name = "REQUEST", .type = PARAM_STRING,
	    .max_count = 1 },
	[R_LANG] = { .name = "LANG", .type = PARAM_STRING, .max_count = 1 },
	[R_QUERY] = { .name = "QUERY", .type = PARAM_STRING, .max_count = 1,
	    .required = 1 },
	[R_UPLOAD] = { .name = "UPLOAD", .type = PARAM_STRING },
	[R_MAXREC] = { .name = "MAXREC", .type = PARAM_INT, .max = 1000,
	    .max_count = 1 },
};

/* Read every part of BODY: their number, or -1 with the reason in R->why. */
static int
read_all(struct mp_reader *r, const char *ctype, const char *body,
    size_t len, size_t max_parts)
{
	struct mp_part	 part;
	int		 n = 0, rc;

	if (mp_open(r, ctype, body, len, max_parts) == -1)
		return -1;
	while ((rc = mp_next(r, &part)) == 1)
		n++;
	return rc == -1 ? -1 : n;
}

static enum params_err
parse_mp(struct params *p, const char *ctype, const char *body, size_t len,
    size_t max_params)
{
	struct request	 r;

	req_post(&r, "/tap/sync", "");
	r.content_type = ctype;
	r.body = body;
	r.body_len = len;
	return params_parse(p, &r, tap_rules, R__MAX, max_params);
}

/*
 * BODY is refused with WHY, by the reader and by params_parse() alike;
 * called through REFUSED so that a failure names the line of the case.
 */
static void
refused_at(int line, const char *ctype, const char *body, size_t len,
    const char *why)
{
	struct mp_reader	 r;
	struct params		 p;
	char			 buf[256];
	int			 ok;

	ok = read_all(&r, ctype, body, len, 100) == -1 &&
	    strcmp(r.why, why) == 0;
	if (!ok)
		fprintf(stderr, "\nline %d: reader said '%s'\n", line, r.why);
	CU_ASSERT(ok);
	ok = parse_mp(&p, ctype, body, len, 100) == PARAMS_EMULTIPART &&
	    strcmp(params_error(&p, buf, sizeof(buf)), why) == 0;
	if (!ok)
		fprintf(stderr, "\nline %d: params said '%s'\n", line, buf);
	CU_ASSERT(ok);
	params_free(&p);
}
#define REFUSED(ctype, body, why) \
	refused_at(__LINE__, ctype, BODY(body), why)

static void
test_pyvo(void)
{
	static const char	 table[] = PYVO_TABLE;
	static const char *const names[] = { "REQUEST", "LANG", "QUERY",
				    "UPLOAD", "t1" };
	struct mp_reader	 r;
	struct mp_part		 part;
	size_t			 i;

	CU_ASSERT_EQUAL_FATAL(mp_open(&r, PYVO_CTYPE, BODY(pyvo_body), 16), 0);
	for (i = 0; mp_next(&r, &part) == 1; i++) {
		CU_ASSERT_FATAL(i < 5);
		CU_ASSERT_STRING_EQUAL(part.name, names[i]);
		if (i < 4) {
			CU_ASSERT_PTR_NULL(part.filename);
			CU_ASSERT_PTR_NULL(part.content_type);
		}
	}
	CU_ASSERT_EQUAL(i, 5);
	CU_ASSERT_EQUAL(mp_next(&r, &part), 0);
	/* The last part, again, for its file. */
	mp_open(&r, PYVO_CTYPE, BODY(pyvo_body), 16);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL_FATAL(mp_next(&r, &part), 1);
	CU_ASSERT_STRING_EQUAL(part.filename, "t1");
	CU_ASSERT_STRING_EQUAL(part.content_type, "application/octet-stream");
	CU_ASSERT_EQUAL_FATAL(part.len, sizeof(table) - 1);
	CU_ASSERT(memcmp(part.data, table, part.len) == 0);
	CU_ASSERT(part.data > pyvo_body && part.data < pyvo_body +
	    sizeof(pyvo_body));	/* into the body, not a copy */
}

static void
test_pyvo_params(void)
{
	static const char	 table[] = PYVO_TABLE;
	const struct param_part	*t;
	struct params		 p;

	CU_ASSERT_EQUAL_FATAL(parse_mp(&p, PYVO_CTYPE, BODY(pyvo_body), 16),
	    PARAMS_OK);
	/* The text parts are what the rules see. */
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw,
	    "SELECT * FROM TAP_UPLOAD.t1");
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_LANG)->raw, "ADQL");
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_REQUEST)->raw, "doQuery");
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_UPLOAD)->raw, "t1,param:t1");
	CU_ASSERT_EQUAL(p.npairs, 4);
	CU_ASSERT_EQUAL(params_nparts(&p), 5);
	/* Every part, the file too. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = params_part(&p, "t1"));
	CU_ASSERT_STRING_EQUAL(t->filename, "t1");
	CU_ASSERT_STRING_EQUAL(t->content_type, "application/octet-stream");
	CU_ASSERT_EQUAL_FATAL(t->len, sizeof(table) - 1);
	CU_ASSERT(memcmp(t->data, table, t->len) == 0);
	CU_ASSERT_PTR_EQUAL(params_part_at(&p, 4), t);
	CU_ASSERT_STRING_EQUAL(params_part_at(&p, 0)->name, "REQUEST");
	CU_ASSERT_PTR_NULL(params_part_at(&p, 5));
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = params_part(&p, "QUERY"));
	CU_ASSERT_PTR_NULL(t->filename);
	CU_ASSERT_EQUAL(t->len, strlen("SELECT * FROM TAP_UPLOAD.t1"));
	/* Exact names, unlike the rules'. */
	CU_ASSERT_PTR_NULL(params_part(&p, "query"));
	CU_ASSERT_PTR_NULL(params_part(&p, "T1"));
	CU_ASSERT_PTR_NULL(params_part(&p, "t2"));
	params_free(&p);
}

static void
test_quoted_boundary(void)
{
	static const char	 body[] =
	    "--simple (boundary)\r\n" CD("QUERY") "\r\nSELECT 1\r\n"
	    "--simple (boundary)--";
	struct mp_reader	 r;
	struct params		 p;
	char			 b70[256], ctype[128];

	CU_ASSERT_EQUAL(read_all(&r, "Multipart/Form-Data; charset=utf-8;"
	    "BOUNDARY=\"simple (boundary)\"", BODY(body), 4), 1);
	/* Escapes in the quoted-string are undone. */
	CU_ASSERT_EQUAL(read_all(&r, "multipart/form-data; boundary="
	    "\"simple \\(boundary\\)\"", BODY(body), 4), 1);
	CU_ASSERT_EQUAL(parse_mp(&p, "multipart/form-data;boundary="
	    "\"simple (boundary)\"", BODY(body), 4), PARAMS_OK);
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw, "SELECT 1");
	params_free(&p);
	/* 70 characters are allowed. */
	snprintf(b70, sizeof(b70), "--%070d\r\n" CD("QUERY") "\r\nx\r\n"
	    "--%070d--", 7, 7);
	snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%070d",
	    7);
	CU_ASSERT_EQUAL(read_all(&r, ctype, b70, strlen(b70), 4), 1);
	/* STIL's (TOPCAT, taplint), outside RFC 2046's characters. */
	CU_ASSERT_EQUAL(read_all(&r, "multipart/form-data; boundary=\""
	    "<<<--------------MULTIPART-BOUNDARY------->>>\"",
	    BODY("--<<<--------------MULTIPART-BOUNDARY------->>>\r\n"
	    CD("QUERY") "\r\nx\r\n"
	    "--<<<--------------MULTIPART-BOUNDARY------->>>--\r\n"), 4), 1);
}

static void
test_curl(void)
{
	/* curl -F 't1=<t1.xml' -F 'QUERY=...': the file is a text part. */
#define CURL_B	"------------------------d74496d66958873e"
	static const char	 body[] =
	    "--" CURL_B "\r\n" CD("t1") "\r\n"
	    "<?xml version=\"1.0\"?>\r\n<VOTABLE/>\r\n\r\n"
	    "--" CURL_B "\r\n" CD("QUERY") "\r\n"
	    "SELECT * FROM TAP_UPLOAD.t1\r\n"
	    "--" CURL_B "--\r\n";
	const struct param_part	*t;
	struct params		 p;

	CU_ASSERT_EQUAL_FATAL(parse_mp(&p, "multipart/form-data; boundary="
	    CURL_B, BODY(body), 16), PARAMS_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = params_part(&p, "t1"));
	CU_ASSERT_PTR_NULL(t->filename);
	CU_ASSERT_PTR_NULL(t->content_type);
	CU_ASSERT_EQUAL(t->len, strlen("<?xml version=\"1.0\"?>\r\n"
	    "<VOTABLE/>\r\n"));
	CU_ASSERT(memcmp(t->data, "<?xml", 5) == 0);
	/* No filename, no NUL: a pair as well, which no rule takes here. */
	CU_ASSERT_EQUAL(p.npairs, 2);
	CU_ASSERT_STRING_EQUAL(p.names[0], "t1");
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw,
	    "SELECT * FROM TAP_UPLOAD.t1");
	params_free(&p);
#undef CURL_B
}

static void
test_preamble_epilogue(void)
{
	static const char	 body[] =
	    "This is the preamble; --b is not a delimiter here.\r\n"
	    "--b" "\r\n" CD("QUERY") "\r\nSELECT 1\r\n"
	    "--b--  \r\nThis is the epilogue.\r\n--b\r\n" CD("LANG") "\r\nx";
	static const char	 padded[] =
	    "--b \t\r\n" CD("QUERY") "\r\nSELECT 1\r\n--b  \r\n" CD("LANG")
	    "\r\nADQL\r\n--b--";
	struct mp_reader	 r;
	struct params		 p;

	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, BODY(body), 4), 1);
	CU_ASSERT_EQUAL_FATAL(parse_mp(&p, CTYPE_B, BODY(body), 4), PARAMS_OK);
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw, "SELECT 1");
	CU_ASSERT_PTR_NULL(params_get(&p, R_LANG));
	params_free(&p);
	/* Transport padding after a boundary. */
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, BODY(padded), 4), 2);
	/* A body of no parts at all. */
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, BODY("--b--"), 4), 0);
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, BODY("x\r\n--b--\r\n"), 4), 0);
}

static void
test_boundary_in_data(void)
{
	/* Only CRLF "--" boundary delimits: not bare LF, CR, or mid-line. */
#define IN_DATA	"a--b\r\nx--b\n--b\r--b --b--\r\n-b\r\n--\r\n--c\r\n--"
	static const char	 data[] = IN_DATA;
	static const char	 body[] = "--b\r\n" CD("D") "\r\n" "x" "\r\n"
				    "--b\r\n" CD("E") "\r\n" IN_DATA
				    "\r\n--b--";
#undef IN_DATA
	struct mp_reader	 r;
	struct mp_part		 part;

	CU_ASSERT_EQUAL_FATAL(mp_open(&r, CTYPE_B, BODY(body), 4), 0);
	CU_ASSERT_EQUAL_FATAL(mp_next(&r, &part), 1);
	CU_ASSERT_EQUAL_FATAL(mp_next(&r, &part), 1);
	CU_ASSERT_STRING_EQUAL(part.name, "E");
	CU_ASSERT_EQUAL_FATAL(part.len, sizeof(data) - 1);
	CU_ASSERT(memcmp(part.data, data, part.len) == 0);
	CU_ASSERT_EQUAL(mp_next(&r, &part), 0);
}

static void
test_empty_data(void)
{
	static const char	 body[] =
	    "--b\r\n" CD("QUERY") "\r\n" "\r\n"	/* empty, as clients send */
	    "--b\r\n" CD("LANG") "\r\n"		/* no empty line at all */
	    "--b\r\nContent-Disposition: form-data; name=\"t1\"; "
	    "filename=\"\"\r\nContent-Type: text/xml\r\n\r\n"
	    "\r\n--b--\r\n";
	const struct param_part	*t;
	struct params		 p;

	CU_ASSERT_EQUAL_FATAL(parse_mp(&p, CTYPE_B, BODY(body), 16), PARAMS_OK);
	CU_ASSERT_EQUAL(params_nparts(&p), 3);
	CU_ASSERT_EQUAL(params_part(&p, "QUERY")->len, 0);
	CU_ASSERT_EQUAL(params_part(&p, "LANG")->len, 0);
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw, "");
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_LANG)->raw, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t = params_part(&p, "t1"));
	CU_ASSERT_STRING_EQUAL(t->filename, "");
	CU_ASSERT_STRING_EQUAL(t->content_type, "text/xml");
	CU_ASSERT_EQUAL(t->len, 0);
	CU_ASSERT_EQUAL(p.npairs, 2);
	params_free(&p);
}

static void
test_headers(void)
{
	/* Names and types in any case, escapes, tokens, unknown parameters. */
	static const char	 body[] =
	    "--b\r\n"
	    "content-disposition:FORM-DATA ;NAME=QUERY; size=3; "
	    "filename*=UTF-8''x\r\n"
	    "Content-Length: 8\r\nContent-Transfer-Encoding: BINARY\r\n"
	    "\r\nSELECT 1\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"a\\\"b\\\\c\"; "
	    "Filename=t1.xml\r\n"
	    "CONTENT-TYPE:  text/xml; charset=\"utf-8\"  \r\n\r\n<x/>\r\n"
	    "--b--";
	struct mp_reader	 r;
	struct mp_part		 part;

	CU_ASSERT_EQUAL_FATAL(mp_open(&r, CTYPE_B, BODY(body), 4), 0);
	CU_ASSERT_EQUAL_FATAL(mp_next(&r, &part), 1);
	CU_ASSERT_STRING_EQUAL(part.name, "QUERY");
	CU_ASSERT_PTR_NULL(part.filename);
	CU_ASSERT_EQUAL(part.len, 8);
	CU_ASSERT_EQUAL_FATAL(mp_next(&r, &part), 1);
	CU_ASSERT_STRING_EQUAL(part.name, "a\"b\\c");
	CU_ASSERT_STRING_EQUAL(part.filename, "t1.xml");
	CU_ASSERT_STRING_EQUAL(part.content_type, "text/xml; charset=\"utf-8\"");
	CU_ASSERT_EQUAL(mp_next(&r, &part), 0);
	CU_ASSERT_EQUAL(mp_next(&r, &part), 0);
}

static void
test_refusals(void)
{
	char	 ctype[128];

	REFUSED("multipart/form-data", "--b--",
	    "multipart/form-data Content-Type has no boundary parameter");
	REFUSED("multipart/form-data; charset=utf-8", "--b--",
	    "multipart/form-data Content-Type has no boundary parameter");
	REFUSED("multipart/form-data; boundary", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data; boundary=", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data; boundary=\"b", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data; boundary=b; boundary=c", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data; boundary=b;", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data boundary=b", "--b--",
	    "multipart/form-data Content-Type has malformed parameters");
	REFUSED("multipart/form-data; boundary=\"\"", "--b--",
	    "multipart boundary is not 1 to 70 characters long");
	snprintf(ctype, sizeof(ctype), "multipart/form-data; boundary=%071d",
	    7);
	REFUSED(ctype, "--b--",
	    "multipart boundary is not 1 to 70 characters long");
	REFUSED("multipart/form-data; boundary=\"b \"", "--b --",
	    "multipart boundary has a character other than printable ASCII, "
	    "or ends in a blank");
	REFUSED("multipart/form-data; boundary=\"a\tb\"", "--a\tb--",
	    "multipart boundary has a character other than printable ASCII, "
	    "or ends in a blank");
	REFUSED(CTYPE_B, "hello, world",
	    "multipart body does not contain its boundary");
	/* Delimiters. */
	REFUSED(CTYPE_B, "--bx\r\n" CD("Q") "\r\nx\r\n--b--",
	    "multipart body has a malformed delimiter line");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--bb\r\n--b--",
	    "multipart body has a malformed delimiter line");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--b--epilogue",
	    "multipart body has a malformed delimiter line");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--b--\r",
	    "multipart body has a malformed delimiter line");
	REFUSED(CTYPE_B, "--b\n" CD("Q") "\r\nx\r\n--b--",
	    "multipart body has a malformed delimiter line");
	/* Truncated bodies. */
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx",
	    "multipart body ends before its close delimiter");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--b",
	    "multipart body ends before its close delimiter");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--b \r",
	    "multipart body ends before its close delimiter");
	REFUSED(CTYPE_B, "--b", "multipart body ends before its close "
	    "delimiter");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q"),
	    "multipart body ends before its close delimiter");
	/* Content-Disposition. */
	REFUSED(CTYPE_B, "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
	    "multipart part 1 has no Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\n\r\nx\r\n--b--",
	    "multipart part 1 has no Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\n\r\n--b--",
	    "multipart part 1 has no Content-Disposition header");
	/* The delimiter's CRLF is not the part's too. */
	REFUSED(CTYPE_B, "--b\r\n--b--",
	    "multipart body ends before its close delimiter");
	REFUSED(CTYPE_B, "--b\r\n" CD("Q") "\r\nx\r\n--b\r\n"
	    "Content-Disposition: form-data; filename=\"t1\"\r\n\r\nx\r\n--b--",
	    "multipart part 2 has a Content-Disposition without a name");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data\r\n\r\n--b--",
	    "multipart part 1 has a Content-Disposition without a name");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: attachment; name=x\r\n"
	    "\r\nx\r\n--b--",
	    "multipart part 1 has a Content-Disposition other than form-data");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: \r\n\r\nx\r\n--b--",
	    "multipart part 1 has a Content-Disposition other than form-data");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data; name=\"x\r\n"
	    "\r\nx\r\n--b--",
	    "multipart part 1 has a malformed Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data; name=\r\n"
	    "\r\nx\r\n--b--",
	    "multipart part 1 has a malformed Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data name=x\r\n"
	    "\r\nx\r\n--b--",
	    "multipart part 1 has a malformed Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data; name=a; "
	    "name=b\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\nContent-Disposition: form-data; name=a b\r\n"
	    "\r\nx\r\n--b--",
	    "multipart part 1 has a malformed Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") CD("b") "\r\nx\r\n--b--",
	    "multipart part 1 has more than one Content-Disposition header");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") "Content-Type: a/b\r\n"
	    "Content-Type: a/b\r\n\r\nx\r\n--b--",
	    "multipart part 1 has more than one Content-Type header");
	REFUSED(CTYPE_B, "--b\r\n" CD("a")
	    "Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--",
	    "multipart part 1 has a Content-Transfer-Encoding other than "
	    "7bit, 8bit or binary");
	/* Header lines. */
	REFUSED(CTYPE_B, "--b\r\n" CD("a") "no colon here\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed header line 'no colon here'");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") " folded\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed header line ' folded'");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") "X-Y : z\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed header line 'X-Y : z'");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") ": z\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed header line ': z'");
	/* Only a short excerpt, printable, is quoted. */
	REFUSED(CTYPE_B, "--b\r\n" CD("a") "X-It's: \x01\0\n\xff and a long "
	    "tail that is cut\r\n\r\nx\r\n--b--",
	    "multipart part 1 has a malformed header line "
	    "'X-It?s: ???? and a lo...'");
	REFUSED(CTYPE_B, "--b\r\n" CD("a") "\r\nx\r\n--b\r\n"
	    "Content-Disposition: form-data; name=x\r\n--b--",
	    "multipart part 2 ends inside its headers");
}

static void
test_bounds(void)
{
	static char		 body[4096];
	struct mp_reader	 r;
	size_t			 n;
	int			 i;

	/* A header line of MP_LINE_MAX bytes, and one of a byte more. */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(body, sizeof(body), "--b\r\n" CD("a")
		    "X-Pad: %0*d\r\n\r\nx\r\n--b--", MP_LINE_MAX - 7 + i, 0);
		CU_ASSERT_FATAL(n < sizeof(body));
		CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 4),
		    i == 0 ? 1 : -1);
		if (i == 1)
			CU_ASSERT_STRING_EQUAL(r.why, "multipart part 1 has a "
			    "header line longer than 998 bytes");
	}
	/* A body without its close is truncated, however long its line. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\n%0*d", 2000, 0);
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 4), -1);
	CU_ASSERT_STRING_EQUAL(r.why, "multipart body ends before its close "
	    "delimiter");
	n = (size_t)snprintf(body, sizeof(body), "--b\r\n%0*d\r\n--b--",
	    2000, 0);
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 4), -1);
	CU_ASSERT_STRING_EQUAL(r.why, "multipart part 1 has a header line "
	    "longer than 998 bytes");
	/* MP_HEADERS_MAX header lines, and one more. */
	for (i = 0; i < 2; i++) {
		n = (size_t)snprintf(body, sizeof(body), "--b\r\n" CD("a"));
		for (int j = 1; j < MP_HEADERS_MAX + i; j++)
			n += (size_t)snprintf(body + n, sizeof(body) - n,
			    "X-%d: y\r\n", j);
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "\r\nx\r\n--b--");
		CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 4),
		    i == 0 ? 1 : -1);
		if (i == 1)
			CU_ASSERT_STRING_EQUAL(r.why, "multipart part 1 has "
			    "more than 16 header lines");
	}
	/* The caller's most parts. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\n" CD("a") "\r\nx\r\n"
	    "--b\r\n" CD("b") "\r\ny\r\n--b\r\n" CD("c") "\r\nz\r\n--b--");
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 3), 3);
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 2), -1);
	CU_ASSERT_STRING_EQUAL(r.why, "multipart body has more than 2 parts");
	CU_ASSERT_EQUAL(read_all(&r, CTYPE_B, body, n, 0), -1);
	CU_ASSERT_STRING_EQUAL(r.why, "multipart body has more than 0 parts");
	/* A refusal stays. */
	CU_ASSERT_EQUAL(mp_next(&r, &(struct mp_part){ 0 }), -1);
	/* Not multipart at all. */
	CU_ASSERT_EQUAL(mp_open(&r, "application/x-www-form-urlencoded",
	    BODY("--b--"), 4), -1);
	CU_ASSERT_STRING_EQUAL(r.why, "request body is not multipart/form-data");
}

/* The parts count against max_params, with the query string's pairs. */
static void
test_too_many(void)
{
	static const char	 body[] =
	    "--b\r\n" CD("QUERY") "\r\nSELECT 1\r\n"
	    "--b\r\nContent-Disposition: form-data; name=t1; filename=t1\r\n"
	    "\r\n<x/>\r\n"
	    "--b\r\n" CD("LANG") "\r\nADQL\r\n--b--";
	struct request		 r;
	struct params		 p;
	char			 buf[128];

	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(body), 3), PARAMS_OK);
	params_free(&p);
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(body), 2), PARAMS_ETOOMANY);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "too many parameters");
	params_free(&p);
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(body), 0), PARAMS_ETOOMANY);
	params_free(&p);
	req_post(&r, "/tap/sync", "");
	r.query = "MAXREC=10";
	r.content_type = CTYPE_B;
	r.body = body;
	r.body_len = sizeof(body) - 1;
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 4), PARAMS_OK);
	CU_ASSERT_EQUAL(params_get(&p, R_MAXREC)->i, 10);
	params_free(&p);
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 3),
	    PARAMS_ETOOMANY);
	params_free(&p);
}

/* The rules see text parts raw, as they would a decoded form field. */
static void
test_rules(void)
{
	static const char	 raw[] =
	    "--b\r\n" CD("query") "\r\nSELECT 'a%20b+c' FROM t\r\n"
	    "--b\r\n" CD("MaxRec") "\r\n12\r\n--b--";
	static const char	 file[] =
	    "--b\r\nContent-Disposition: form-data; name=QUERY; filename=q\r\n"
	    "\r\nSELECT 1\r\n--b--";
	static const char	 nul[] =
	    "--b\r\n" CD("QUERY") "\r\nSELECT\0 1\r\n--b--";
	static const char	 twice[] =
	    "--b\r\n" CD("QUERY") "\r\nSELECT 1\r\n"
	    "--b\r\n" CD("QUERY") "\r\nSELECT 2\r\n--b--";
	static const char	 bad[] =
	    "--b\r\n" CD("QUERY") "\r\nx\r\n--b\r\n" CD("MAXREC") "\r\n1e3"
	    "\r\n--b--";
	struct params		 p;
	char			 buf[128];

	CU_ASSERT_EQUAL_FATAL(parse_mp(&p, CTYPE_B, BODY(raw), 16), PARAMS_OK);
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw,
	    "SELECT 'a%20b+c' FROM t");
	CU_ASSERT_EQUAL(params_get(&p, R_MAXREC)->i, 12);
	params_free(&p);
	/* A file, or text with a NUL, is a part only. */
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(file), 16), PARAMS_EMISSING);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "QUERY: missing");
	CU_ASSERT_PTR_NOT_NULL(params_part(&p, "QUERY"));
	params_free(&p);
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(nul), 16), PARAMS_EMISSING);
	CU_ASSERT_EQUAL(params_part(&p, "QUERY")->len, 9);
	params_free(&p);
	/* Repeats and bad values, as in any form. */
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(twice), 16),
	    PARAMS_EREPEATED);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "QUERY: given 2 times; it takes one value");
	/* The first of that name. */
	CU_ASSERT_EQUAL(params_part(&p, "QUERY")->len, 8);
	CU_ASSERT(memcmp(params_part(&p, "QUERY")->data, "SELECT 1", 8) == 0);
	CU_ASSERT(memcmp(params_part_at(&p, 1)->data, "SELECT 2", 8) == 0);
	params_free(&p);
	CU_ASSERT_EQUAL(parse_mp(&p, CTYPE_B, BODY(bad), 16), PARAMS_ESYNTAX);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "MAXREC: '1e3' is not an integer");
	params_free(&p);
}

/* Other bodies read as they always have. */
static void
test_others_unchanged(void)
{
	struct request	 r;
	struct params	 p;
	char		 buf[128];

	req_post(&r, "/tap/sync", "QUERY=--b%0D%0A&LANG=ADQL");
	CU_ASSERT_EQUAL_FATAL(params_parse(&p, &r, tap_rules, R__MAX, 16),
	    PARAMS_OK);
	CU_ASSERT_STRING_EQUAL(params_get(&p, R_QUERY)->raw, "--b\r\n");
	CU_ASSERT_EQUAL(params_nparts(&p), 0);
	CU_ASSERT_PTR_NULL(params_part(&p, "QUERY"));
	CU_ASSERT_PTR_NULL(params_part_at(&p, 0));
	params_free(&p);
	/* Neither form: the message names both. */
	req_post(&r, "/tap/sync", "--b\r\n" CD("QUERY") "\r\nx\r\n--b--");
	r.content_type = "multipart/mixed; boundary=b";
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 16),
	    PARAMS_ECTYPE);
	CU_ASSERT_STRING_EQUAL(params_error(&p, buf, sizeof(buf)),
	    "request body must be application/x-www-form-urlencoded or "
	    "multipart/form-data");
	params_free(&p);
	r.content_type = "multipart/form-dataX; boundary=b";
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 16),
	    PARAMS_ECTYPE);
	params_free(&p);
	/* An empty body is no body, whatever its type says. */
	req_get(&r, "/tap/sync", "QUERY=x");
	r.content_type = "multipart/form-data";
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 16), PARAMS_OK);
	params_free(&p);
	/* Too large is still too large. */
	req_post(&r, "/tap/sync", "--b--");
	r.content_type = CTYPE_B;
	r.body_too_large = 1;
	CU_ASSERT_EQUAL(params_parse(&p, &r, tap_rules, R__MAX, 16),
	    PARAMS_EBODY);
	params_free(&p);
}

void
suite_multipart(void)
{
	CU_pSuite	 s = CU_add_suite("multipart", NULL, NULL);

	CU_add_test(s, "a pyvo upload, part by part", test_pyvo);
	CU_add_test(s, "a pyvo upload through params_parse", test_pyvo_params);
	CU_add_test(s, "quoted boundaries", test_quoted_boundary);
	CU_add_test(s, "a curl file part without a filename", test_curl);
	CU_add_test(s, "preamble, epilogue and padding ignored",
	    test_preamble_epilogue);
	CU_add_test(s, "the boundary inside data", test_boundary_in_data);
	CU_add_test(s, "parts with empty data", test_empty_data);
	CU_add_test(s, "header names, parameters and escapes", test_headers);
	CU_add_test(s, "every refusal has its sentence", test_refusals);
	CU_add_test(s, "line, header and part bounds", test_bounds);
	CU_add_test(s, "parts count against max_params", test_too_many);
	CU_add_test(s, "declared rules see the text parts", test_rules);
	CU_add_test(s, "other bodies are unaffected", test_others_unchanged);
}
