/*
 * source: where the replicas of a DID come from, one implementation per
 * [links] backend, behind one table of functions that the finder calls.
 *
 *   source_rucio	Rucio's replica list, the site directory's table,
 *			and GeoIP to place the client;
 *   source_dm		the data-management API, which places the client
 *			and orders the replicas itself.
 *
 * A source is made from the configuration and owns the clients it talks
 * through; callers pass their own HTTP handle to every call, so a source
 * keeps no per-request state.
 */
#ifndef RIF_SOURCE_H
#define RIF_SOURCE_H

#include <stddef.h>

#include <jansson.h>

#include "choose.h"
#include "config.h"
#include "did.h"
#include "http.h"
#include "rucio.h"
#include "sites.h"
#include "upstream.h"

/* Where a request's client is, and how the answer should be ordered. */
struct placement {
	struct choose_opts	 choose;
	const char		*client_ip;	/* into the request */
	char			 origin[160];	/* where the position is from */
};

/*
 * What a source found for a DID: its files, and the site table to choose
 * among their RSEs with.  TABLE is the source's cached one, or OWN; NULL
 * when the site directory has never answered.  replicas_release() frees
 * what the struct holds.
 */
struct replicas {
	struct rucio_files		 files;
	const struct sites_table	*table;
	struct sites_table		*own;	/* NULL, or the request's */
};

void	replicas_release(struct replicas *);

struct replica_source {
	const char	*name;		/* its [links] backend word */
	/* NULL with ERR when the configuration cannot make one. */
	void		*(*open)(const struct config *, char *err,
			    size_t errsize);
	void		 (*close)(void *src);
	/* -t: the upstream calls, one line each; 0 when printed. */
	int		 (*print)(const struct config *);
	/*
	 * Place the client at P->client_ip, which HOW describes, filling
	 * P->choose's position and P->origin.
	 */
	void		 (*place)(void *src, const char *how,
			    struct placement *p);
	/* The files of D and their site table; UP_OK with none: no such DID. */
	enum upstream_status (*replicas)(void *src, struct http *,
			    const struct did *d, struct placement *p,
			    struct replicas *out, char *err, size_t errsize);
	/* *META a new reference, or NULL when the DID has none. */
	enum upstream_status (*meta)(void *src, struct http *,
			    const struct did *d, json_t **meta, char *err,
			    size_t errsize);
	/* 1 when the source can answer, with a sentence in NOTE. */
	int		 (*available)(void *src, struct http *,
			    const char *service, char *note, size_t size);
};

extern const struct replica_source source_rucio;
extern const struct replica_source source_dm;

#endif
