/*
 * finder: where the replicas of a DID are, where the client is, and which
 * replica it should read; shared by the DataLink service and the SODA
 * proxy so that both find, choose and refuse alike.
 *
 * A finder holds the replica source [links] backend names (see source.h),
 * the [links] schemes, and a cache of DID metadata.  It keeps no
 * per-request state: callers pass their own HTTP handle.
 *
 * Every way a lookup can fail is one enum find_fault with one sentence;
 * each protocol maps the fault to its own label and status and prefixes
 * the sentence with it.
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
#include "source.h"

enum find_fault {
	FIND_OK,
	FIND_UNAVAILABLE,	/* the replica catalogue did not answer */
	FIND_REFUSED,		/* it refused us, or answered unreadably */
	FIND_NO_DID,		/* no such DID, or no replica of it */
	FIND_NO_SITES,		/* the site directory never answered */
	FIND_NO_REPLICA,	/* no replica the request can use */
	FIND_RANKING,		/* fewer usable replicas than ranking */
	FIND_NOMEM
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
 * The files of D and the site table to choose among them with, in OUT
 * (released with replicas_release() whatever the answer).  A fault comes
 * with its sentence in MSG, and with the upstream's own words logged.
 * FIND_NO_SITES only when the choice needs the table (nearest, or a SODA
 * service).  Sets P->choose.schemes to [links] schemes, which the source
 * is asked for and the choice accepts.
 */
enum find_fault	 finder_find(struct finder *, struct http *,
		    const struct did *d, struct placement *p,
		    struct replicas *out, char *msg, size_t msgsize);

/*
 * The replicas of file F that the request can use, in its order, in
 * *CAND (n of them in *N; the caller frees *CAND); RANKING must be one of
 * them.  FIND_NO_REPLICA, FIND_RANKING or FIND_NOMEM with a sentence in
 * MSG otherwise (*CAND then NULL).
 */
enum find_fault	 finder_choose(const struct rucio_file *f,
		    const struct replicas *, const struct placement *p,
		    long ranking, struct candidate **cand, int *n, char *msg,
		    size_t msgsize);

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
