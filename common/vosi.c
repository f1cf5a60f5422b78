#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vosi.h"
#include "xmlw.h"

#define NS_AVAIL	"http://www.ivoa.net/xml/VOSIAvailability/v1.0"
#define NS_CAPS		"http://www.ivoa.net/xml/VOSICapabilities/v1.0"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define NS_VS		"http://www.ivoa.net/xml/VODataService/v1.1"
#define NS_VR		"http://www.ivoa.net/xml/VOResource/v1.0"
#define NS_CS		"http://www.ivoa.net/xml/ConeSearch/v1.0"

#define VOSI_MIME	"text/xml;charset=UTF-8"

void
vosi_availability(struct response *r, int available, time_t upsince,
    const char *note)
{
	struct xmlw	 w;
	char		 stamp[32];
	struct tm	 tm;

	resp_content_type(r, VOSI_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "vosi:availability", "xmlns:vosi", NS_AVAIL, NULL);
	xmlw_elem(&w, "vosi:available", available ? "true" : "false", NULL);
	if (available && upsince > 0) {
		gmtime_r(&upsince, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		xmlw_elem(&w, "vosi:upSince", stamp, NULL);
	}
	if (note != NULL && *note != '\0')
		xmlw_elem(&w, "vosi:note", note, NULL);
	xmlw_close_all(&w);
	resp_puts(r, "\n");
}

static void
capability(struct xmlw *w, const struct vosi_capability *c, const char *use)
{
	const char *const	*extra;

	xmlw_open(w, "capability", "standardID", c->standard_id, "xsi:type",
	    c->xsi_type, c->xmlns_uri != NULL ? c->xmlns_attr : NULL,
	    c->xmlns_uri, NULL);
	xmlw_open(w, "interface", "xsi:type", "vs:ParamHTTP", "role", "std",
	    "version", c->version, NULL);
	xmlw_elem(w, "accessURL", c->access_url, "use", use, NULL);
	xmlw_close(w);
	for (extra = c->extra; extra != NULL && extra[0] != NULL; extra += 2)
		xmlw_elem(w, extra[0], extra[1], NULL);
	if (c->write != NULL)
		c->write(w, c->ctx);
	xmlw_close(w);
}

/* A VOSI capability: its standardID, at BASE_URL/SEGMENT. */
static void
vosi_capability(struct xmlw *w, const char *standard_id,
    const char *base_url, const char *segment)
{
	struct vosi_capability	 c;
	char			 url[2048];

	memset(&c, 0, sizeof(c));
	snprintf(url, sizeof(url), "%s/%s", base_url, segment);
	c.standard_id = standard_id;
	c.access_url = url;
	capability(w, &c, "full");
}

/* DALI 1.1 §2.3: examples are a page, so their interface is a browser's. */
static void
examples_capability(struct xmlw *w, const char *base_url)
{
	char	 url[2048];

	snprintf(url, sizeof(url), "%s/examples", base_url);
	xmlw_open(w, "capability", "standardID",
	    "ivo://ivoa.net/std/DALI#examples", NULL);
	xmlw_open(w, "interface", "xsi:type", "vr:WebBrowser", NULL);
	xmlw_elem(w, "accessURL", url, "use", "full", NULL);
	xmlw_close(w);
	xmlw_close(w);
}

void
vosi_capabilities(struct response *r, const char *base_url,
    const struct vosi_capability *caps, int ncaps)
{
	struct xmlw	 w;
	int		 tables = 0;

	resp_content_type(r, VOSI_MIME);
	xmlw_init(&w, r);
	xmlw_decl(&w);
	xmlw_open(&w, "vosi:capabilities", "xmlns:vosi", NS_CAPS, "xmlns:xsi",
	    NS_XSI, "xmlns:vs", NS_VS, "xmlns:vr", NS_VR, "xmlns:cs", NS_CS,
	    NULL);
	vosi_capability(&w, "ivo://ivoa.net/std/VOSI#capabilities", base_url,
	    "capabilities");
	vosi_capability(&w, "ivo://ivoa.net/std/VOSI#availability", base_url,
	    "availability");
	for (int i = 0; i < ncaps; i++)
		tables |= caps[i].tables;
	if (tables)
		vosi_capability(&w, "ivo://ivoa.net/std/VOSI#tables-1.1",
		    base_url, "tables");
	for (int i = 0; i < ncaps; i++)
		if (caps[i].examples) {
			examples_capability(&w, base_url);
			break;
		}
	for (int i = 0; i < ncaps; i++)
		capability(&w, &caps[i], "base");
	xmlw_close_all(&w);
	resp_puts(r, "\n");
}

const char *
vosi_base_url(const struct request *req, const char *public_url, char *buf,
    size_t size)
{
	const char	*slash;
	int		 n;

	if (public_url != NULL && *public_url != '\0') {
		snprintf(buf, size, "%s", public_url);
		return buf;
	}
	slash = strrchr(req->path, '/');
	n = slash != NULL ? (int)(slash - req->path) : 0;
	snprintf(buf, size, "%s://%s%.*s", req->scheme,
	    *req->host != '\0' ? req->host : "localhost", n, req->path);
	return buf;
}
