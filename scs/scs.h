/*
 * scs: the Simple Cone Search 1.03 service over the ObsCore table.
 *
 * scs_handle() answers the cone query at the endpoint and VOSI
 * availability and capabilities beside it.  Its state (struct scs) holds
 * the configuration it was made with and the process's database
 * connection; scs_free() releases both the state and the connection.
 */
#ifndef RIF_SCS_H
#define RIF_SCS_H

#include "config.h"
#include "request.h"
#include "response.h"

struct scs;

/* CFG must outlive the returned state.  NULL when memory runs out. */
struct scs	*scs_new(const struct config *cfg);
void		 scs_free(struct scs *);
/* Print the statements scs_new() prepares, one per line, for "-t". */
int		 scs_print_sql(const struct config *cfg);
void		 scs_handle(void *state, const struct request *,
		    struct response *);

#endif
