/*
 * vosi: the VOSI 1.1 availability and capabilities documents every program
 * serves beside its endpoint (DALI 1.1 §2.4-2.5, VOSI 1.1 §3).
 *
 * Both are small fixed documents, written through xmlw like every other
 * answer: the caller gives plain strings, and xmlw escapes them and drops
 * what XML forbids.
 */
#ifndef RIF_VOSI_H
#define RIF_VOSI_H

#include <time.h>

#include "request.h"
#include "response.h"
#include "xmlw.h"

/* One capability of a service, beyond the two VOSI ones. */
struct vosi_capability {
	const char	*standard_id;	/* e.g. "ivo://ivoa.net/std/ConeSearch" */
	const char	*xsi_type;	/* e.g. "cs:ConeSearch", or NULL */
	const char	*access_url;	/* the endpoint's public URL */
	/* Extra child elements of <capability>, name/value, NULL-ended. */
	const char *const *extra;
	/* The interface's version attribute (TAP's "1.1"), or NULL. */
	const char	*version;
	/*
	 * A namespace declaration the capability carries, for a schema of
	 * its own (xsi_type "tr:TableAccess"): "xmlns:tr" and its URI.
	 */
	const char	*xmlns_attr;
	const char	*xmlns_uri;
	/* Writes further children, after EXTRA, or NULL. */
	void		(*write)(struct xmlw *, const void *ctx);
	const void	*ctx;
	/* The service also serves VOSI tables at BASE/tables. */
	int		 tables;
	/* And DALI examples (XHTML for a browser) at BASE/examples. */
	int		 examples;
};

/* The availability document: AVAILABLE, up since UPSINCE, and a NOTE. */
void	vosi_availability(struct response *, int available, time_t upsince,
	    const char *note);

/*
 * The capabilities document for the service at BASE_URL (the endpoint URL
 * without "/capabilities"): VOSI capabilities and availability, then CAPS.
 */
void	vosi_capabilities(struct response *, const char *base_url,
	    const struct vosi_capability *caps, int ncaps);

/*
 * The public URL of the endpoint whose VOSI resource REQ asked for: the
 * request's scheme, Host and path less its last segment, or PUBLIC_URL when
 * configured (non-empty).  Written into BUF.
 */
const char *vosi_base_url(const struct request *, const char *public_url,
	    char *buf, size_t size);

#endif
