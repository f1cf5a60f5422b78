#include <string.h>

#include "request.h"

const char *
request_env(const struct request *r, const char *name)
{
	if (r->getenv == NULL)
		return NULL;
	return r->getenv(r->env_ctx, name);
}

int
request_path_ends(const struct request *r, const char *seg)
{
	size_t	 plen = strlen(r->path), slen = strlen(seg);

	if (plen >= slen + 1 && strcmp(r->path + plen - slen, seg) == 0 &&
	    r->path[plen - slen - 1] == '/')
		return 1;
	/* Tolerate one trailing slash: "/scs/availability/". */
	return plen >= slen + 2 && r->path[plen - 1] == '/' &&
	    strncmp(r->path + plen - slen - 1, seg, slen) == 0 &&
	    r->path[plen - slen - 2] == '/';
}
