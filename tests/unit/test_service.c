/*
 * service: the one dispatcher every program uses, on a service declared
 * here: routes by last segment, the endpoint under any other path, HEAD
 * wherever GET is, 405 with Allow, the VOSI resources and ping.
 */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "service.h"

static void
endpoint(void *state, const struct request *req, struct response *r)
{
	(void)state;
	resp_printf(r, "endpoint %s\n", req->method);
}

static void
upload(void *state, const struct request *req, struct response *r)
{
	(void)state, (void)req;
	resp_puts(r, "upload\n");
}

static void
refuse(struct response *r, int status, const char *text)
{
	resp_status(r, status);
	resp_printf(r, "Refused: %s\n", text);
}

static const char *
public_url(void *state)
{
	(void)state;
	return "";
}

static void
capability(void *state, const char *base, struct vosi_capability *cap,
    char *url, size_t urlsize)
{
	(void)state;
	snprintf(url, urlsize, "%s/run", base);
	cap->standard_id = "ivo://example/std/Test";
	cap->access_url = url;
}

static int
available(void *state, char *note, size_t size)
{
	(void)state;
	snprintf(note, size, "all well");
	return 1;
}

static const struct route routes[] = {
	{ "upload", ROUTE_POST, upload },
	{ NULL, ROUTE_GET | ROUTE_POST, endpoint },
	{ NULL, 0, NULL }
};

static const struct service test_svc = {
	.program = "test.fcgi", .version = "9.9", .routes = routes,
	.refuse = refuse, .public_url = public_url, .capability = capability,
	.available = available,
};

static const char *
run(const char *method, const char *path, struct captured *c)
{
	struct service_run	 sr = { &test_svc, NULL, 0 };
	struct request		 r;

	req_get(&r, path, "");
	r.method = method;
	cap_init(c);
	service_dispatch(&sr, &r, &c->resp);
	resp_finish(&c->resp);
	return strbuf_str(&c->out);
}

/* METHOD PATH answers STATUS, with WANT in the output. */
static void
answers(const char *method, const char *path, int status, const char *want)
{
	struct captured	 c;
	const char	*out = run(method, path, &c);

	CU_ASSERT_EQUAL(c.resp.status, status);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	if (c.resp.status != status || strstr(out, want) == NULL)
		fprintf(stderr, "\n%s %s: %s\n", method, path, out);
	cap_free(&c);
}

static void
test_routes(void)
{
	answers("GET", "/test", 200, "endpoint GET");
	answers("POST", "/prototype/path/test.xml", 200, "endpoint POST");
	answers("HEAD", "/test", 200, "endpoint HEAD");
	answers("POST", "/test/upload", 200, "upload");
	answers("PUT", "/test", 405, "Allow: GET, POST, HEAD\r\n");
	answers("DELETE", "/test", 405, "Refused: this resource takes GET, "
	    "POST, HEAD only");
	answers("GET", "/test/upload", 405, "Allow: POST\r\n");
	answers("HEAD", "/test/upload", 405, "Allow: POST\r\n");
}

static void
test_vosi_routes(void)
{
	answers("GET", "/test/availability", 200,
	    "<vosi:available>true</vosi:available>");
	answers("HEAD", "/test/availability", 200, "all well");
	answers("POST", "/test/availability", 405, "Allow: GET, HEAD\r\n");
	answers("GET", "/test/capabilities", 200,
	    "http://example.org/test/run</accessURL>");
	answers("PUT", "/test/capabilities", 405, "Allow: GET, HEAD\r\n");
	answers("GET", "/test/ping", 200,
	    "{\"status\":\"UP\",\"version\":\"9.9\"}");
}

void
suite_service(void)
{
	CU_pSuite	 s = CU_add_suite("service", NULL, NULL);

	CU_add_test(s, "dispatch: routes, endpoint, HEAD, 405 with Allow",
	    test_routes);
	CU_add_test(s, "dispatch: VOSI resources and ping", test_vosi_routes);
}
