/*
 * links: the DataLink 1.1 {links} service over Rucio, the site directory
 * and GeoIP.
 *
 * links_service declares the program: {links} at the endpoint (under any
 * of its public paths), and VOSI availability (the replica source answers)
 * and capabilities beside it.  Its state holds the configuration it was
 * made with, the process's HTTP connections and Rucio token, the cached
 * site table and the GeoIP database; one request is served at a time per
 * process (see README.md: Concurrency).
 */
#ifndef RIF_LINKS_H
#define RIF_LINKS_H

#include <stddef.h>

#include "config.h"
#include "service.h"

struct links;

extern const struct service links_service;

/* CFG must outlive the returned state.  NULL with a reason in ERR. */
struct links	*links_new(const struct config *cfg, char *err, size_t errsize);
void		 links_free(struct links *);

#endif
