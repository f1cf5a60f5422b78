/*
 * scs: the Simple Cone Search 1.03 service over the ObsCore table.
 *
 * scs_service declares the program: the cone query at the endpoint (under
 * any of its public paths), and VOSI availability (the database answers)
 * and capabilities beside it.  Its state (struct scs) holds the
 * configuration it was made with and the process's database connection;
 * scs_free() releases both.
 */
#ifndef RIF_SCS_H
#define RIF_SCS_H

#include <stddef.h>

#include "config.h"
#include "service.h"

struct scs;

extern const struct service scs_service;

/* CFG must outlive the returned state.  NULL with a reason in ERR. */
struct scs	*scs_new(const struct config *cfg, char *err, size_t errsize);
void		 scs_free(struct scs *);
/* Print the statements the program prepares ("-t"); 0 when all build. */
int		 scs_print_sql(const struct config *cfg);

#endif
