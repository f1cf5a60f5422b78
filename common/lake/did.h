/*
 * did: Rucio data identifiers, "scope:name".
 *
 * Which names exist is Rucio's policy, and it differs between deployments,
 * so did_parse() refuses only what is unsafe to carry further: a scope
 * outside Rucio's own rule ([A-Za-z0-9_.-]{1,25}), a name that is not
 * UTF-8 text, holds a control character or is longer than Rucio allows,
 * and anything that would put an empty, "." or ".." segment into a path
 * (an upstream URL, or the path a deterministic RSE stores the file
 * under).  Everything else reaches Rucio, percent-encoded, and Rucio says
 * whether the DID exists.  The string is split on the first ':' so that
 * names may hold '/'.
 *
 * did_path() gives the path a deterministic RSE stores the file under, as
 * Rucio's default ("hash") lfn2pfn algorithm makes it: "scope/h1/h2/name"
 * with h1, h2 from md5("scope:name"), the dots of a user.* or group.*
 * scope turned into '/'.  SODA services expect it in their dataset IDs.
 *
 * A struct did holds its strings itself; nothing here allocates.
 */
#ifndef RIF_DID_H
#define RIF_DID_H

#include <stddef.h>

#define DID_SCOPE_MAX	25	/* characters (ASCII) */
#define DID_NAME_MAX	250	/* characters, as Rucio counts them */
#define DID_NAME_BYTES	(DID_NAME_MAX * 4)	/* UTF-8 */

struct did {
	char	scope[DID_SCOPE_MAX + 1];
	char	name[DID_NAME_BYTES + 1];
};

/* Room for did_str() and did_path() of any DID. */
#define DID_STR_MAX	(DID_SCOPE_MAX + DID_NAME_BYTES + 16)

/* Parse "scope:name" into D; -1 with a reason in ERR when it is not a DID. */
int	did_parse(const char *s, struct did *d, char *err, size_t errsize);

/*
 * Parse a dataset ID as SODA clients send it: "scope:name",
 * "ivo://authority?scope:name", or the prototype's
 * "ivo://authority?scope/h1/h2/name" (the path did_path() makes).  The
 * path form is split where its two hash directories match md5 of the
 * scope and name around them; when no split does (a path not made by the
 * hash algorithm), the first segment is the scope and the last the name.
 */
int	did_parse_id(const char *s, struct did *d, char *err, size_t errsize);

/* "scope:name" into BUF. */
const char *did_str(const struct did *, char *buf, size_t size);

/* "scope/h1/h2/name" into BUF; NULL if it does not fit. */
const char *did_path(const struct did *, char *buf, size_t size);

/*
 * "ivo://AUTHORITY?scope/h1/h2/name", the dataset ID the sites' SODA
 * services expect (the prototype's form), into BUF; NULL if it does not fit.
 */
const char *did_ivoid(const struct did *, const char *authority, char *buf,
	    size_t size);

#endif
