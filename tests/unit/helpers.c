#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

void
req_get(struct request *r, const char *path, const char *query)
{
	memset(r, 0, sizeof(*r));
	r->method = "GET";
	r->path = path;
	r->query = query;
	r->content_type = "";
	r->remote_addr = "127.0.0.1";
	r->scheme = "http";
	r->host = "example.org";
	r->body = "";
}

void
req_post(struct request *r, const char *path, const char *body)
{
	req_get(r, path, "");
	r->method = "POST";
	r->content_type = "application/x-www-form-urlencoded";
	r->body = body;
	r->body_len = strlen(body);
}

static int
mem_sink(void *ctx, const void *buf, size_t len)
{
	return strbuf_add(ctx, buf, len);
}

void
cap_init(struct captured *c)
{
	memset(c, 0, sizeof(*c));
	resp_init(&c->resp, mem_sink, &c->out);
}

void
body_init(struct response *r, struct strbuf *out)
{
	resp_init_body(r, mem_sink, out);
}

void
cap_free(struct captured *c)
{
	strbuf_free(&c->out);
}

const char *
cap_body(const struct captured *c)
{
	const char	*s = strstr(strbuf_str(&c->out), "\r\n\r\n");

	return s != NULL ? s + 4 : "";
}

const char *
write_temp(const char *text)
{
	static char	 path[64];
	int		 fd;

	snprintf(path, sizeof(path), "/tmp/rif-unit-XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

int
config_from_text(const char *text, unsigned prog, struct config *cfg,
    char *err, size_t errsize)
{
	const char	*path = write_temp(text);
	int		 rc;

	/* Not a CUnit assertion: suites' set-up functions call this too. */
	if (path == NULL) {
		snprintf(err, errsize, "cannot write a temporary file");
		return -2;
	}
	rc = config_load(path, cfg, prog, err, errsize);
	unlink(path);
	return rc;
}
