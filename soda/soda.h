/*
 * soda: the SODA 1.0 sync proxy.  One public cutout endpoint for the whole
 * data lake: it finds the replicas of the dataset that have a SODA sync
 * service beside them (the finder, as links.fcgi does), chooses the nearest
 * to the client, and relays the cutout from that service (relay.h), or
 * answers 303 with its URL in redirect mode.
 *
 * soda_handle() answers the sync resource at the endpoint, "ping" for
 * liveness probes, and VOSI availability and capabilities beside it.  Its
 * state holds the configuration, the process's HTTP connections (one for
 * the catalogues, one for the sites) and the finder.
 */
#ifndef RIF_SODA_H
#define RIF_SODA_H

#include "config.h"
#include "request.h"
#include "response.h"

struct soda;

/* CFG must outlive the state.  NULL with a reason in ERR. */
struct soda	*soda_new(const struct config *cfg, char *err, size_t errsize);
void		 soda_free(struct soda *);
void		 soda_handle(void *state, const struct request *,
		    struct response *);

#endif
