/*
 * did: Rucio data identifiers, "scope:name".
 *
 * did_parse() checks a DID against Rucio's own rules (scope
 * [A-Za-z0-9_.-]{1,25}, name starting with [/A-Za-z0-9], then [/A-Za-z0-9._-],
 * at most 250 characters), splitting on the first ':' so that names may hold
 * '/'.  did_path() gives the path a deterministic RSE stores the file under,
 * "scope/h1/h2/name" with h1, h2 from md5("scope:name"), as Rucio's default
 * lfn2pfn algorithm makes it; SODA services expect it in their dataset IDs.
 *
 * A struct did holds its strings itself; nothing here allocates.
 */
#ifndef RIF_DID_H
#define RIF_DID_H

#include <stddef.h>

#define DID_SCOPE_MAX	25
#define DID_NAME_MAX	250

struct did {
	char	scope[DID_SCOPE_MAX + 1];
	char	name[DID_NAME_MAX + 1];
};

/* Parse "scope:name" into D; -1 with a reason in ERR when it is not a DID. */
int	did_parse(const char *s, struct did *d, char *err, size_t errsize);

/*
 * Parse a dataset ID as SODA clients send it: "scope:name",
 * "ivo://authority?scope:name", or the prototype's
 * "ivo://authority?scope/h1/h2/name" (the name is the last path segment).
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
