/*
 * The data-management API as the replica source: it places the client
 * and orders the replicas itself, and names the SODA services beside
 * them in each answer, so the request gets a site table of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmapi.h"
#include "oauth2.h"
#include "source.h"

struct dm_source {
	struct oauth2	*oauth2;	/* the API's token */
	struct dmapi	*dm;
};

static void	dm_source_close(void *);

static void *
dm_source_open(const struct config *cfg, char *err, size_t errsize)
{
	struct oauth2_opts	 oo;
	struct dm_source	*s;

	if (*cfg->dm_url == '\0' || *cfg->oauth2.token_url == '\0' ||
	    oauth2_opts_of(cfg->oauth2.token_url, &cfg->oauth2.dm, &oo) ==
	    NULL) {
		snprintf(err, errsize, "[dm] url, [oauth2] token_url and "
		    "client_id are required");
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->oauth2 = oauth2_new(&oo)) == NULL ||
	    (s->dm = dmapi_new(cfg->dm_url, s->oauth2)) == NULL) {
		snprintf(err, errsize, "out of memory");
		dm_source_close(s);
		return NULL;
	}
	return s;
}

static void
dm_source_close(void *src)
{
	struct dm_source	*s = src;

	if (s == NULL)
		return;
	dmapi_free(s->dm);
	oauth2_free(s->oauth2);
	free(s);
}

static int
dm_source_print(const struct config *cfg)
{
	return printf("locate\tGET %s/data/locate/{scope}/{name}\n"
	    "metadata\tGET %s/metadata/{scope}/{name}\n"
	    "token\tPOST %s\n", cfg->dm_url, cfg->dm_url,
	    cfg->oauth2.token_url) < 0;
}

static void
dm_source_place(void *src, const char *how, struct placement *p)
{
	(void)src;
	snprintf(p->origin, sizeof(p->origin), "ordered by the "
	    "data-management API from %s %.64s", how, p->client_ip);
}

static enum upstream_status
dm_source_replicas(void *src, struct http *h, const struct did *d,
    struct placement *p, struct replicas *out, char *err, size_t errsize)
{
	struct dm_source	*s = src;
	enum upstream_status	 st;
	const char		*sorted;

	st = dmapi_locate(s->dm, h, d, p->choose.sort == CHOOSE_RANDOM ?
	    "random" : "nearest_by_ip", p->client_ip, &out->files, &out->own,
	    &sorted, err, errsize);
	if (st == UP_OK && p->choose.sort == CHOOSE_NEAREST &&
	    strcmp(sorted, "random") == 0)
		snprintf(p->origin, sizeof(p->origin), "the data-management "
		    "API could not place %.64s; replicas in random order",
		    p->client_ip);
	out->table = out->own;
	return st;
}

static enum upstream_status
dm_source_meta(void *src, struct http *h, const struct did *d,
    json_t **meta, char *err, size_t errsize)
{
	return dmapi_meta(((struct dm_source *)src)->dm, h, d, meta, err,
	    errsize);
}

static int
dm_source_available(void *src, struct http *h, const char *service,
    char *note, size_t size)
{
	char	 err[256];
	int	 transient, up;

	up = oauth2_token(((struct dm_source *)src)->oauth2, h, &transient,
	    err, sizeof(err)) != NULL;
	if (up)
		snprintf(note, size, "%s and the token endpoint of the "
		    "data-management API are up", service);
	else
		snprintf(note, size, "The token endpoint of the "
		    "data-management API cannot be reached");
	return up;
}

const struct replica_source source_dm = {
	.name = "dm",
	.open = dm_source_open,
	.close = dm_source_close,
	.print = dm_source_print,
	.place = dm_source_place,
	.replicas = dm_source_replicas,
	.meta = dm_source_meta,
	.available = dm_source_available,
};
