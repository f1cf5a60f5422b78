/*
 * dmapi: the SRCNet data-management API as a second source of replicas.
 *
 * GET /data/locate/{scope}/{name} answers, in the order the API sorted
 * them (nearest_by_ip from the client's address, or random), the RSEs that
 * hold the DID with their PFNs and the services co-located with each; GET
 * /metadata/{scope}/{name} gives the same metadata Rucio would.  The token
 * is an OAuth2 client-credentials token (oauth2.h), renewed once on a 401.
 *
 * dmapi_locate() gives its answer in the shapes the Rucio path uses: one
 * file (the DID) with its RSEs, and a site table of the co-located SODA
 * services (without positions: the API has already ordered the RSEs).
 * Both belong to the caller.
 */
#ifndef RIF_DMAPI_H
#define RIF_DMAPI_H

#include <jansson.h>

#include "did.h"
#include "http.h"
#include "oauth2.h"
#include "rucio.h"
#include "sites.h"
#include "upstream.h"

struct dmapi;

/* BASE_URL as .../api/v1; the token comes from AUTH (kept by the caller). */
struct dmapi	*dmapi_new(const char *base_url, struct oauth2 *auth);
void		 dmapi_free(struct dmapi *);

/*
 * SORT: "nearest_by_ip" or "random"; IP may be NULL.  The API answers 5xx
 * when it cannot place the address; nearest_by_ip then falls back to
 * random, and *SORTED says which order the answer is in.
 */
enum upstream_status dmapi_locate(struct dmapi *, struct http *,
		    const struct did *, const char *sort, const char *ip,
		    struct rucio_files *files, struct sites_table **services,
		    const char **sorted, char *err, size_t errsize);
enum upstream_status dmapi_meta(struct dmapi *, struct http *,
		    const struct did *, json_t **meta, char *err,
		    size_t errsize);

/* Parse a /data/locate answer (for dmapi_locate and tests). */
int		 dmapi_parse_locate(const char *body, const struct did *,
		    struct rucio_files *files, struct sites_table **services,
		    char *err, size_t errsize);

#endif
