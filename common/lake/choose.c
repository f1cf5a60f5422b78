#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "choose.h"
#include "geo.h"

static int
has_scheme(const char *pfn, const char *scheme)
{
	size_t	 n = strlen(scheme);

	return strncasecmp(pfn, scheme, n) == 0 && strncmp(pfn + n, "://", 3) == 0;
}

const char *
choose_pfn(const struct rucio_rse *rse, const char *const *schemes)
{
	if (schemes == NULL || schemes[0] == NULL)
		return rse->npfns > 0 ? rse->pfns[0] : NULL;
	for (; *schemes != NULL; schemes++)
		for (int i = 0; i < rse->npfns; i++)
			if (has_scheme(rse->pfns[i], *schemes))
				return rse->pfns[i];
	return NULL;
}

/* Located first, nearest first; the rest keep Rucio's order (stable). */
static void
sort_by_distance(struct candidate *c, int n)
{
	for (int i = 1; i < n; i++) {
		struct candidate	 t = c[i];
		int			 j = i;

		while (j > 0 && t.km >= 0 && (c[j - 1].km < 0 || c[j - 1].km > t.km)) {
			c[j] = c[j - 1];
			j--;
		}
		c[j] = t;
	}
}

static void
shuffle(struct candidate *c, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int			 j = (int)(random() % (i + 1));
		struct candidate	 t = c[i];

		c[i] = c[j];
		c[j] = t;
	}
}

int
choose_sort_parse(const char *s, enum choose_sort *out)
{
	if (s == NULL || strcmp(s, "nearest_by_client") == 0 ||
	    strcmp(s, "nearest_by_ip") == 0)
		*out = CHOOSE_NEAREST;
	else if (strcmp(s, "random") == 0)
		*out = CHOOSE_RANDOM;
	else
		return -1;
	return 0;
}

int
choose_replicas(const struct rucio_file *f, const struct sites_table *t,
    const struct choose_opts *o, struct candidate *out)
{
	int	 n = 0;

	for (int i = 0; i < f->nrses; i++) {
		struct candidate	*c = &out[n];

		c->rse = &f->rses[i];
		c->site = sites_find(t, c->rse->name);
		if ((c->pfn = choose_pfn(c->rse, o->schemes)) == NULL)
			continue;
		if (o->must_soda && (c->site == NULL || c->site->nsync == 0))
			continue;
		c->km = o->located && c->site != NULL && c->site->located ?
		    geo_distance_km(o->lat, o->lon, c->site->lat, c->site->lon) :
		    -1;
		n++;
	}
	if (o->sort == CHOOSE_RANDOM)
		shuffle(out, n);
	else
		sort_by_distance(out, n);
	return n;
}
