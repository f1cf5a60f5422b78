#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "authed.h"
#include "log.h"
#include "sites.h"

struct sites {
	char			*url;
	char			*token;		/* a fixed Bearer token, or NULL */
	struct oauth2		*oauth2;	/* or tokens from this client */
	struct token_source	 source;	/* get is NULL: neither is set */
	enum sites_shape	 shape;
	long			 ttl;
	struct sites_table	*table;
	struct backoff		 backoff;	/* after failed fetches */
};

char *
sites_service_url(const char *prefix, const char *host, long port,
    const char *path)
{
	struct strbuf	 b = STRBUF_INIT;
	size_t		 plen;

	if (host == NULL || *host == '\0')
		return NULL;
	/* SCAPI data has "https://" as well as "https" for the prefix. */
	if (prefix == NULL || *prefix == '\0')
		prefix = "https";
	plen = strcspn(prefix, ":/");
	/* ...and the odd host written as a URL. */
	if (strstr(host, "://") != NULL)
		host = strstr(host, "://") + 3;
	strbuf_printf(&b, "%.*s://%.*s", (int)plen, prefix,
	    (int)strcspn(host, "/"), host);
	if (port > 0)
		strbuf_printf(&b, ":%ld", port);
	if (path != NULL && *path != '\0')
		strbuf_printf(&b, "%s%s", path[0] == '/' ? "" : "/", path);
	return b.s;
}

static void
rse_free(struct site_rse *r)
{
	int	 i;

	for (i = 0; i < r->nsync; i++) {
		free(r->sync[i].url);
		free(r->sync[i].ivoid);
	}
	for (i = 0; i < r->nasync; i++) {
		free(r->async[i].url);
		free(r->async[i].ivoid);
	}
	free(r->sync);
	free(r->async);
	free(r->name);
}

void
sites_table_free(struct sites_table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->n; i++)
		rse_free(&t->rses[i]);
	free(t->rses);
	free(t->slots);
	free(t);
}

/* FNV-1a: short names, spread well enough for linear probing. */
static unsigned
name_hash(const char *s)
{
	unsigned	 h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of NAME in T's index, or the free slot where it would go. */
static int
slot_of(const struct sites_table *t, const char *name)
{
	int	 mask = t->nslots - 1;
	int	 i = (int)(name_hash(name) & (unsigned)mask);

	while (t->slots[i] != 0 &&
	    strcmp(t->rses[t->slots[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

const struct site_rse *
sites_find(const struct sites_table *t, const char *rse)
{
	int	 i;

	if (t == NULL || t->nslots == 0)
		return NULL;
	i = slot_of(t, rse);
	return t->slots[i] != 0 ? &t->rses[t->slots[i] - 1] : NULL;
}

/* Room for one more entry in T: the array and an index at most half full. */
static int
grow(struct sites_table *t)
{
	struct site_rse	*r;
	int		*slots, n;

	if (t->n == t->alloc) {
		n = t->alloc == 0 ? 16 : t->alloc * 2;
		if ((r = reallocarray(t->rses, (size_t)n, sizeof(*r))) == NULL)
			return -1;
		t->rses = r;
		t->alloc = n;
	}
	if (2 * (t->n + 1) <= t->nslots)
		return 0;
	n = t->nslots == 0 ? 64 : t->nslots * 2;
	if ((slots = calloc((size_t)n, sizeof(*slots))) == NULL)
		return -1;
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	for (int i = 0; i < t->n; i++)
		t->slots[slot_of(t, t->rses[i].name)] = i + 1;
	return 0;
}

/* One more thing over a cap: said once per table, as the rest follow. */
static void
dropped(struct sites_table *t, const char *what, int cap)
{
	if (t->dropped++ == 0)
		log_warn("site table: more than %d %s; the rest are ignored",
		    cap, what);
}

/*
 * The entry for NAME in *R, added when new; *R is NULL when the table is
 * full.  -1 when memory runs out.
 */
static int
rse_add(struct sites_table *t, const char *name, struct site_rse **r)
{
	int	 i;

	*r = NULL;
	if (t->nslots > 0 && t->slots[i = slot_of(t, name)] != 0) {
		*r = &t->rses[t->slots[i] - 1];
		return 0;
	}
	if (t->n == SITES_RSE_MAX) {
		dropped(t, "storage areas", SITES_RSE_MAX);
		return 0;
	}
	if (grow(t) == -1)
		return -1;
	*r = &t->rses[t->n];
	memset(*r, 0, sizeof(**r));
	if (((*r)->name = strdup(name)) == NULL)
		return -1;
	t->slots[slot_of(t, name)] = ++t->n;
	return 0;
}

/* Positions from [{"name": RSE, "latitude": .., "longitude": ..}, ...]. */
static int
parse_grafana(struct sites_table *t, json_t *list)
{
	json_t		*e;
	size_t		 i;
	struct site_rse	*r;
	const char	*name;

	json_array_foreach(list, i, e) {
		name = json_string_value(json_object_get(e, "name"));
		if (name == NULL || *name == '\0')
			continue;
		if (rse_add(t, name, &r) == -1)
			return -1;
		/* One RSE name under several sites: the first place wins. */
		if (r == NULL || r->located ||
		    !json_is_number(json_object_get(e, "latitude")) ||
		    !json_is_number(json_object_get(e, "longitude")))
			continue;
		r->lat = json_number_value(json_object_get(e, "latitude"));
		r->lon = json_number_value(json_object_get(e, "longitude"));
		r->located = 1;
	}
	return 0;
}

static int
add_service(struct sites_table *t, struct site_rse *r, const json_t *svc,
    int async)
{
	struct site_service	**list = async ? &r->async : &r->sync, *s;
	int			 *n = async ? &r->nasync : &r->nsync;
	const char		 *ivoid;
	char			 *url;

	if (*n == SITES_SERVICES_MAX) {
		dropped(t, "SODA services of a kind beside a storage area",
		    SITES_SERVICES_MAX);
		return 0;
	}
	url = sites_service_url(json_string_value(json_object_get(svc, "prefix")),
	    json_string_value(json_object_get(svc, "host")),
	    (long)json_integer_value(json_object_get(svc, "port")),
	    json_string_value(json_object_get(svc, "path")));
	if (url == NULL)
		return 0;	/* no host: nothing to call */
	if ((s = realloc(*list, (size_t)(*n + 1) * sizeof(*s))) == NULL) {
		free(url);
		return -1;
	}
	*list = s;
	s[*n].url = url;
	ivoid = json_string_value(json_object_get(json_object_get(
	    json_object_get(svc, "other_attributes"), "resourceIdentifier"),
	    "value"));
	s[*n].ivoid = ivoid != NULL && *ivoid != '\0' ? strdup(ivoid) : NULL;
	(*n)++;
	return 0;
}

/*
 * The /storage-areas list as an object from area id to RSE name (null for
 * an area without one), for the services that name their area by id.  The
 * first area of an id wins, as a scan of the list would find it.  NULL on
 * ENOMEM.
 */
static json_t *
area_names(json_t *areas)
{
	json_t		*names, *a, *name;
	size_t		 i;
	const char	*id;

	if ((names = json_object()) == NULL)
		return NULL;
	json_array_foreach(areas, i, a) {
		id = json_string_value(json_object_get(a, "id"));
		if (id == NULL || json_object_get(names, id) != NULL)
			continue;
		if ((name = json_object_get(a, "name")) == NULL)
			name = json_null();
		if (json_object_set(names, id, name) == -1) {
			json_decref(names);
			return NULL;
		}
	}
	return names;
}

struct sites_table *
sites_table_new(void)
{
	return calloc(1, sizeof(struct sites_table));
}

int
sites_add_service(struct sites_table *t, const char *rse, const json_t *svc)
{
	const char	*type = json_string_value(json_object_get(svc, "type"));
	struct site_rse	*r;
	int		 async;

	if (type == NULL || rse == NULL || *rse == '\0')
		return 0;
	if (strcasecmp(type, "soda_sync") == 0)
		async = 0;
	else if (strcasecmp(type, "soda_async") == 0)
		async = 1;
	else
		return 0;
	if (rse_add(t, rse, &r) == -1)
		return -1;
	return r == NULL ? 0 : add_service(t, r, svc, async);
}

/* SODA services, tied to an RSE through associated_storage_area_id. */
static int
parse_services(struct sites_table *t, json_t *areas, json_t *services)
{
	json_t		*svc, *names;
	size_t		 i;
	const char	*area;
	int		 rc = 0;

	if ((names = area_names(areas)) == NULL)
		return -1;
	json_array_foreach(services, i, svc) {
		area = json_string_value(json_object_get(svc,
		    "associated_storage_area_id"));
		if (area == NULL)
			continue;	/* not tied to a storage: not co-located */
		if ((rc = sites_add_service(t, json_string_value(
		    json_object_get(names, area)), svc)) == -1)
			break;
	}
	json_decref(names);
	return rc;
}

/*
 * A table from N JSON lists: the positions (grafana shape) first, then what
 * FILL reads the services from.
 */
static struct sites_table *
build(const char *const *texts, int n,
    int (*fill)(struct sites_table *, json_t **), char *err, size_t errsize)
{
	json_t			*l[3] = { NULL, NULL, NULL };
	json_error_t		 je;
	struct sites_table	*t = NULL;
	int			 i;

	for (i = 0; i < n; i++)
		if ((l[i] = json_loads(texts[i], 0, &je)) == NULL ||
		    !json_is_array(l[i])) {
			snprintf(err, errsize, "site directory: not a JSON "
			    "list (%s)", l[i] == NULL ? je.text : "an object");
			goto out;
		}
	if ((t = sites_table_new()) == NULL || parse_grafana(t, l[0]) == -1 ||
	    fill(t, l + 1) == -1) {
		snprintf(err, errsize, "out of memory");
		sites_table_free(t);
		t = NULL;
	}
out:
	for (i = 0; i < n; i++)
		json_decref(l[i]);
	return t;
}

static int
fill_scapi(struct sites_table *t, json_t **l)
{
	return parse_services(t, l[0], l[1]);
}

struct sites_table *
sites_parse_scapi(const char *grafana, const char *areas, const char *services,
    char *err, size_t errsize)
{
	const char *const	 texts[] = { grafana, areas, services };

	return build(texts, 3, fill_scapi, err, errsize);
}

/* A 2023 site's SODA services of one kind, one more than are kept. */
struct soda_list {
	const json_t	*v[SITES_SERVICES_MAX + 1];
	int		 n;
};

static void
site_soda(const json_t *svcs, struct soda_list l[2])
{
	const json_t	*svc;
	const char	*type;
	size_t		 i;
	int		 async;

	l[0].n = l[1].n = 0;
	json_array_foreach(svcs, i, svc) {
		type = json_string_value(json_object_get(svc, "type"));
		if (type != NULL && strcmp(type, "SODA (sync)") == 0)
			async = 0;
		else if (type != NULL && strcmp(type, "SODA (async)") == 0)
			async = 1;
		else
			continue;
		if (l[async].n <= SITES_SERVICES_MAX)
			l[async].v[l[async].n++] = svc;
	}
}

/*
 * 2023 /services: [{"name": site, "services": [...]}].  The prototype tied
 * SODA to RSEs at site granularity: every SODA service of a site is taken
 * to be beside every RSE ("Rucio Storage Element (RSE)" service) there.
 * The site's SODA services are picked out once, not once per RSE.
 */
static int
parse_site_2023(struct sites_table *t, const json_t *svcs)
{
	struct soda_list	 l[2];
	const json_t		*rse;
	const char		*type, *name;
	struct site_rse		*r;
	size_t			 i;

	site_soda(svcs, l);
	json_array_foreach(svcs, i, rse) {
		type = json_string_value(json_object_get(rse, "type"));
		name = json_string_value(json_object_get(rse, "identifier"));
		if (type == NULL || name == NULL || *name == '\0' ||
		    strcmp(type, "Rucio Storage Element (RSE)") != 0)
			continue;
		if (rse_add(t, name, &r) == -1)
			return -1;
		for (int async = 0; r != NULL && async < 2; async++)
			for (int k = 0; k < l[async].n; k++)
				if (add_service(t, r, l[async].v[k],
				    async) == -1)
					return -1;
	}
	return 0;
}

static int
parse_services_2023(struct sites_table *t, json_t *sites)
{
	json_t	*site;
	size_t	 i;

	json_array_foreach(sites, i, site)
		if (parse_site_2023(t, json_object_get(site, "services")) == -1)
			return -1;
	return 0;
}

static int
fill_2023(struct sites_table *t, json_t **l)
{
	return parse_services_2023(t, l[0]);
}

struct sites_table *
sites_parse_2023(const char *grafana, const char *services, char *err,
    size_t errsize)
{
	const char *const	 texts[] = { grafana, services };

	return build(texts, 2, fill_2023, err, errsize);
}

struct sites *
sites_new(const struct sites_opts *o)
{
	struct sites	*s;
	int		 failed = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->ttl = o->ttl;
	s->shape = o->shape;
	s->url = http_base_url(o->url);
	if (o->oauth2 != NULL) {
		failed = (s->oauth2 = oauth2_new(o->oauth2)) == NULL;
		s->source = token_oauth2(s->oauth2);
	} else if (o->token != NULL && *o->token != '\0') {
		failed = (s->token = strdup(o->token)) == NULL;
		s->source = token_fixed(s->token);
	}
	if (s->url == NULL || failed) {
		sites_free(s);
		return NULL;
	}
	return s;
}

void
sites_free(struct sites *s)
{
	if (s == NULL)
		return;
	sites_table_free(s->table);
	free(s->url);
	free(s->token);
	oauth2_free(s->oauth2);
	free(s);
}

/* GET base+PATH into OUT (a JSON body); -1 with ERR on any failure. */
static int
fetch(struct sites *s, struct http *h, const char *path, int auth,
    struct http_reply *out, char *err, size_t errsize)
{
	const char	*hdrs[] = { "Accept: application/json", NULL };
	char		 url[2048];

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	if (auth && s->source.get != NULL) {
		if (authed_call(h, &s->source, "Authorization: Bearer ",
		    "the site directory", "GET", url, hdrs, NULL, out, err,
		    errsize) != UP_OK)
			return -1;
	} else if (http_call(h, "GET", url, hdrs, NULL, out, err, errsize) !=
	    HTTP_OK)
		return -1;
	if (out->status != 200) {
		snprintf(err, errsize, "%.400s: HTTP %ld", url, out->status);
		return -1;
	}
	return 0;
}

static struct sites_table *
fetch_scapi(struct sites *s, struct http *h, char *err, size_t errsize)
{
	struct http_reply	 g, a, v;
	struct sites_table	*t = NULL;

	memset(&a, 0, sizeof(a));
	memset(&v, 0, sizeof(v));
	if (fetch(s, h, "/storage-areas/grafana", 0, &g, err, errsize) == 0 &&
	    fetch(s, h, "/storage-areas", 1, &a, err, errsize) == 0 &&
	    fetch(s, h, "/services?service_types=soda_sync,soda_async", 1, &v,
	    err, errsize) == 0)
		t = sites_parse_scapi(strbuf_str(&g.body), strbuf_str(&a.body),
		    strbuf_str(&v.body), err, errsize);
	http_reply_free(&g);
	http_reply_free(&a);
	http_reply_free(&v);
	return t;
}

static struct sites_table *
fetch_2023(struct sites *s, struct http *h, char *err, size_t errsize)
{
	struct http_reply	 g, v;
	struct sites_table	*t = NULL;

	memset(&v, 0, sizeof(v));
	if (fetch(s, h, "/storages/grafana", 0, &g, err, errsize) == 0 &&
	    fetch(s, h, "/services", 1, &v, err, errsize) == 0)
		t = sites_parse_2023(strbuf_str(&g.body), strbuf_str(&v.body),
		    err, errsize);
	http_reply_free(&g);
	http_reply_free(&v);
	return t;
}

struct backoff *
sites_backoff(struct sites *s)
{
	return &s->backoff;
}

const struct sites_table *
sites_get(struct sites *s, struct http *h, int *stale)
{
	struct sites_table	*t;
	char			 err[512];
	time_t			 now = time(NULL);
	long long		 mono = backoff_now();

	*stale = 0;
	if (s->table != NULL && now - s->table->fetched < s->ttl)
		return s->table;
	/*
	 * While the directory fails, it is not asked: a request gets the
	 * table of before, or none, at once, not after a timeout.
	 */
	if (backoff_left(&s->backoff, mono) > 0) {
		*stale = s->table != NULL;
		return s->table;
	}
	t = s->shape == SITES_2023 ? fetch_2023(s, h, err, sizeof(err)) :
	    fetch_scapi(s, h, err, sizeof(err));
	if (t == NULL) {
		backoff_failed(&s->backoff, backoff_now());
		log_warn("site directory: %s; %s, asking again in %ld s", err,
		    s->table != NULL ? "serving the table of before" :
		    "no table", s->backoff.wait / 1000);
		*stale = s->table != NULL;
		return s->table;
	}
	backoff_reset(&s->backoff);
	t->fetched = now;
	sites_table_free(s->table);
	s->table = t;
	return t;
}
