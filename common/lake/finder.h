/*
 * finder: where the replicas of a DID are and where the client is, shared
 * by the DataLink service and the SODA proxy so that both choose alike.
 *
 * A finder holds the replica source the configuration names ([links]
 * backend): Rucio with the site directory, or the data-management API with
 * its OAuth2 token; and the GeoIP database that places clients.  It keeps
 * no per-request state: callers pass their own HTTP handle.
 *
 * finder_replicas() gives the files of a DID with the site table to choose
 * among their RSEs: the cached site directory (owned by the finder), or,
 * from the data-management API, a table of the request's own (*OWN,
 * released by the caller with sites_table_free()).
 */
#ifndef RIF_FINDER_H
#define RIF_FINDER_H

#include <stddef.h>

#include <jansson.h>

#include "choose.h"
#include "config.h"
#include "did.h"
#include "http.h"
#include "request.h"
#include "rucio.h"
#include "sites.h"
#include "upstream.h"

/* Where a request's client is, and how the answer should be ordered. */
struct placement {
	struct choose_opts	 choose;
	const char		*client_ip;	/* points into the request */
	char			 origin[160];	/* where the position came from */
};

struct finder;

/*
 * CFG must outlive the finder.  NULL with a reason in ERR.  Also seeds
 * random(), which orders replicas for sort=random, from the time and pid,
 * and initialises libcurl for the process (finder_free() releases it).
 */
struct finder	*finder_new(const struct config *cfg, char *err,
		    size_t errsize);
void		 finder_free(struct finder *);

/*
 * Print the upstream calls a finder made from CFG would make, one line
 * each ("-t"): what they are for, the method and the URL.  0 when printed.
 */
int		 finder_print(const struct config *cfg);

/*
 * Place the client: PARAM_IP (client_ip_address) when given, else the
 * address nginx gives, whose realip module has already believed
 * X-Forwarded-For from trusted proxies only.  A client that cannot be
 * placed is not an error: P->origin then says which order follows.
 */
void		 finder_place(struct finder *, const struct request *,
		    const char *param_ip, struct placement *p);

/*
 * The files of D and the site table for them (see above).  *TABLE is NULL
 * when the site directory has never answered.  A DID without replicas is
 * UP_OK with no files.  Sets P->choose.schemes to [links] schemes, which
 * Rucio is asked for and the choice accepts.
 */
enum upstream_status finder_replicas(struct finder *, struct http *,
		    const struct did *d, struct placement *p,
		    struct rucio_files *files, const struct sites_table **table,
		    struct sites_table **own, char *err, size_t errsize);

/*
 * The DID's metadata (a new reference), or NULL when it has none or it
 * could not be read.  Answers are kept for [links] meta_ttl seconds;
 * failures are not.
 */
json_t		*finder_meta(struct finder *, struct http *, const struct did *);

/*
 * Can the replica source be reached?  Returns 1 or 0 and a sentence for
 * VOSI availability in NOTE; SERVICE names the program ("The SODA proxy").
 */
int		 finder_available(struct finder *, struct http *,
		    const char *service, char *note, size_t size);

#endif
