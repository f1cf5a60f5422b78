/*
 * rucio: the two Rucio REST calls a DataLink answer needs, with the
 * process's Rucio token.
 *
 * The token comes from GET /auth/userpass (or is read from a file that
 * something else keeps fresh), is kept until shortly before it expires, and
 * is renewed once when Rucio answers 401.  rucio_replicas() reads the JSON
 * line stream of POST /replicas/list (one line per file: a dataset or a
 * container gives several); rucio_meta() reads the POSTGRES_JSON metadata,
 * where a DID without metadata is not an error.
 *
 * What these functions return belongs to the caller: rucio_files_free(),
 * json_decref().
 */
#ifndef RIF_RUCIO_H
#define RIF_RUCIO_H

#include <jansson.h>

#include "did.h"
#include "http.h"
#include "oauth2.h"
#include "upstream.h"

struct rucio_rse {
	char	 *name;
	char	**pfns;		/* in Rucio's priority order */
	int	  npfns;
};

struct rucio_file {
	char			*scope;
	char			*name;
	long long		 bytes;	/* -1 when unknown */
	struct rucio_rse	*rses;
	int			 nrses;
};

struct rucio_files {
	struct rucio_file	*v;
	int			 n;
};

struct rucio_opts {
	const char	*url;		/* base URL, with any path prefix */
	const char	*account;
	const char	*username;
	const char	*password;
	const char	*token_file;	/* instead of username/password */
	/* Instead of both: JWTs from this OAuth2 client (NULL: not used). */
	const struct oauth2_opts *oauth2;
};

struct rucio;

struct rucio	*rucio_new(const struct rucio_opts *);
void		 rucio_free(struct rucio *);

/*
 * SCHEMES (NULL-terminated; NULL: all) asks Rucio for the PFNs of those
 * schemes only, so that it resolves no protocol the caller would not use.
 */
enum upstream_status rucio_replicas(struct rucio *, struct http *,
		    const struct did *, const char *const *schemes,
		    struct rucio_files *out, char *err, size_t errsize);
/* *META is NULL when the DID has no metadata. */
enum upstream_status rucio_meta(struct rucio *, struct http *, const struct did *,
		    json_t **meta, char *err, size_t errsize);

/*
 * RSE NAME with the strings of the JSON array PFNS (others skipped), as
 * Rucio and the data-management API both list them; -1 on ENOMEM (what
 * was filled is freed with the file it belongs to).
 */
int		 rucio_rse_parse(struct rucio_rse *, const char *name,
		    const json_t *pfns);
/* Parse a /replicas/list JSON line stream (for rucio_replicas and tests). */
int		 rucio_parse_replicas(const char *body, struct rucio_files *out,
		    char *err, size_t errsize);
void		 rucio_files_free(struct rucio_files *);

#endif
