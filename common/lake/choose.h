/*
 * choose: which replica of a file a client should read.
 *
 * choose_replicas() puts the RSEs holding a file in the order the request
 * asks for and returns them with the PFN to use at each:
 *   - only RSEs with a PFN in an accepted scheme, the preferred scheme
 *     first (never a random choice among schemes);
 *   - with must_soda, only RSEs with a co-located SODA sync service;
 *   - nearest: by great-circle distance from the client; RSEs the site
 *     directory does not place come after those it does, in Rucio's
 *     order, and so does everything when the client could not be placed;
 *   - random: a random order.
 * The candidates point into the file and the site table they came from.
 */
#ifndef RIF_CHOOSE_H
#define RIF_CHOOSE_H

#include "rucio.h"
#include "sites.h"

enum choose_sort {
	CHOOSE_NEAREST,
	CHOOSE_RANDOM
};

struct choose_opts {
	enum choose_sort	 sort;
	int			 must_soda;
	int			 located;	/* the client position is known */
	double			 lat, lon;
	const char *const	*schemes;	/* preference order; NULL: any */
};

struct candidate {
	const struct rucio_rse	*rse;
	const struct site_rse	*site;	/* NULL when the directory lacks it */
	const char		*pfn;
	double			 km;	/* -1 when unknown */
};

/*
 * The sort parameter as the DataLink service and the SODA proxy take it:
 * nearest_by_client (also nearest_by_ip; the default when S is NULL) or
 * random.  -1 for any other value.
 */
int	choose_sort_parse(const char *s, enum choose_sort *out);

/* Fill OUT (room for f->nrses) and return how many candidates there are. */
int	choose_replicas(const struct rucio_file *f, const struct sites_table *,
	    const struct choose_opts *, struct candidate *out);

/* The PFN of RSE in the most preferred of SCHEMES, or NULL. */
const char *choose_pfn(const struct rucio_rse *, const char *const *schemes);

#endif
