#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mxml.h>

#include "strbuf.h"
#include "vosi.h"
#include "xmlw.h"

#define NS_AVAIL	"http://www.ivoa.net/xml/VOSIAvailability/v1.0"
#define NS_CAPS		"http://www.ivoa.net/xml/VOSICapabilities/v1.0"
#define NS_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define NS_VS		"http://www.ivoa.net/xml/VODataService/v1.1"
#define NS_VR		"http://www.ivoa.net/xml/VOResource/v1.0"
#define NS_CS		"http://www.ivoa.net/xml/ConeSearch/v1.0"

/* A text child holding S, cleaned of what XML forbids. */
static mxml_node_t *
text_elem(mxml_node_t *parent, const char *name, const char *s)
{
	mxml_node_t	*e = mxmlNewElement(parent, name);
	struct strbuf	 b = STRBUF_INIT;

	if (xml_clean(&b, s) == 0)
		mxmlNewOpaque(e, strbuf_str(&b));
	strbuf_free(&b);
	return e;
}

static void
set_attr(mxml_node_t *e, const char *name, const char *s)
{
	struct strbuf	 b = STRBUF_INIT;

	if (xml_clean(&b, s) == 0)
		mxmlElementSetAttr(e, name, strbuf_str(&b));
	strbuf_free(&b);
}

static void
send_tree(struct response *r, mxml_node_t *xml)
{
	char	*s;

	resp_content_type(r, "text/xml;charset=UTF-8");
	if ((s = mxmlSaveAllocString(xml, MXML_NO_CALLBACK)) == NULL) {
		resp_status(r, 500);
		resp_puts(r, "out of memory\n");
	} else {
		resp_puts(r, s);
		resp_puts(r, "\n");
	}
	free(s);
	mxmlDelete(xml);
}

void
vosi_availability(struct response *r, int available, time_t upsince,
    const char *note)
{
	mxml_node_t	*xml = mxmlNewXML("1.0"), *root;
	char		 stamp[32];
	struct tm	 tm;

	root = mxmlNewElement(xml, "vosi:availability");
	mxmlElementSetAttr(root, "xmlns:vosi", NS_AVAIL);
	text_elem(root, "vosi:available", available ? "true" : "false");
	if (available && upsince > 0) {
		gmtime_r(&upsince, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		text_elem(root, "vosi:upSince", stamp);
	}
	if (note != NULL && *note != '\0')
		text_elem(root, "vosi:note", note);
	send_tree(r, xml);
}

static void
add_capability(mxml_node_t *root, const char *standard_id,
    const char *xsi_type, const char *url, const char *use,
    const char *const *extra)
{
	mxml_node_t	*cap, *ifc;

	cap = mxmlNewElement(root, "capability");
	set_attr(cap, "standardID", standard_id);
	if (xsi_type != NULL)
		mxmlElementSetAttr(cap, "xsi:type", xsi_type);
	ifc = mxmlNewElement(cap, "interface");
	mxmlElementSetAttr(ifc, "xsi:type", "vs:ParamHTTP");
	mxmlElementSetAttr(ifc, "role", "std");
	set_attr(text_elem(ifc, "accessURL", url), "use", use);
	for (; extra != NULL && extra[0] != NULL; extra += 2)
		text_elem(cap, extra[0], extra[1]);
}

void
vosi_capabilities(struct response *r, const char *base_url,
    const struct vosi_capability *caps, int ncaps)
{
	mxml_node_t	*xml = mxmlNewXML("1.0"), *root;
	char		 url[2048];

	root = mxmlNewElement(xml, "vosi:capabilities");
	mxmlElementSetAttr(root, "xmlns:vosi", NS_CAPS);
	mxmlElementSetAttr(root, "xmlns:xsi", NS_XSI);
	mxmlElementSetAttr(root, "xmlns:vs", NS_VS);
	mxmlElementSetAttr(root, "xmlns:vr", NS_VR);
	mxmlElementSetAttr(root, "xmlns:cs", NS_CS);
	snprintf(url, sizeof(url), "%s/capabilities", base_url);
	add_capability(root, "ivo://ivoa.net/std/VOSI#capabilities", NULL,
	    url, "full", NULL);
	snprintf(url, sizeof(url), "%s/availability", base_url);
	add_capability(root, "ivo://ivoa.net/std/VOSI#availability", NULL,
	    url, "full", NULL);
	for (int i = 0; i < ncaps; i++)
		add_capability(root, caps[i].standard_id, caps[i].xsi_type,
		    caps[i].access_url, "base", caps[i].extra);
	send_tree(r, xml);
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
