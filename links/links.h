/*
 * links: the DataLink 1.1 {links} service over Rucio, the site directory
 * and GeoIP.
 *
 * links_handle() answers {links} at the endpoint, "ping" for liveness
 * probes, and VOSI availability and capabilities beside it.  Its state
 * holds the configuration it was made with, the process's HTTP connections
 * and Rucio token, the cached site table and the GeoIP database; one
 * request is served at a time per process (see README.md: Concurrency).
 */
#ifndef RIF_LINKS_H
#define RIF_LINKS_H

#include "config.h"
#include "request.h"
#include "response.h"

struct links;

/* CFG must outlive the state.  NULL with a reason in ERR. */
struct links	*links_new(const struct config *cfg, char *err, size_t errsize);
void		 links_free(struct links *);
void		 links_handle(void *state, const struct request *,
		    struct response *);

#endif
