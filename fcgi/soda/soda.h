/*
 * soda: one public SODA 1.0 sync endpoint for the whole data lake.
 *
 * soda_service declares the program: cutouts at "sync", relayed from (or
 * redirected to) the SODA service beside the nearest replica, and VOSI
 * availability (the replica source answers) and capabilities beside it.
 * Its state holds the configuration it was made with and the process's
 * HTTP connections (one for the catalogues, one for the sites).
 */
#ifndef RIF_SODA_H
#define RIF_SODA_H

#include <stddef.h>

#include "config.h"
#include "service.h"

struct soda;

extern const struct service soda_service;

/* CFG must outlive the returned state.  NULL with a reason in ERR. */
struct soda	*soda_new(const struct config *cfg, char *err, size_t errsize);
void		 soda_free(struct soda *);

#endif
