#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ttlcache.h"

struct slot {
	char	*key;
	json_t	*value;
	time_t	 expires;
};

struct ttlcache {
	struct slot	*slots;
	size_t		 n;
	long		 ttl;
};

struct ttlcache *
ttlcache_new(size_t slots, long ttl)
{
	struct ttlcache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->slots = calloc(slots, sizeof(*c->slots))) == NULL) {
		free(c);
		return NULL;
	}
	c->n = slots;
	c->ttl = ttl;
	return c;
}

static void
slot_clear(struct slot *s)
{
	free(s->key);
	json_decref(s->value);
	memset(s, 0, sizeof(*s));
}

void
ttlcache_free(struct ttlcache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		slot_clear(&c->slots[i]);
	free(c->slots);
	free(c);
}

/* FNV-1a: keys are DIDs, short and not chosen to collide on purpose. */
static struct slot *
slot_of(struct ttlcache *c, const char *key)
{
	uint64_t	 h = 1469598103934665603ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return &c->slots[h % c->n];
}

json_t *
ttlcache_get(struct ttlcache *c, const char *key)
{
	struct slot	*s = slot_of(c, key);

	if (s->key == NULL || strcmp(s->key, key) != 0)
		return NULL;
	if (time(NULL) >= s->expires) {
		slot_clear(s);
		return NULL;
	}
	return json_incref(s->value);
}

void
ttlcache_put(struct ttlcache *c, const char *key, json_t *value)
{
	struct slot	*s = slot_of(c, key);
	char		*k;

	if ((k = strdup(key)) == NULL)
		return;		/* not cached: the next request asks again */
	slot_clear(s);
	s->key = k;
	s->value = json_incref(value);
	s->expires = time(NULL) + c->ttl;
}
