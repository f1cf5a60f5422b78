/*
 * ttlcache: a small per-process cache of JSON values with a time-to-live,
 * for answers that change slowly (a DID's metadata).
 *
 * Direct-mapped: each key hashes to one of a fixed number of slots and a
 * new entry replaces whatever was there, so memory is bounded and lookups
 * are O(1) without any eviction bookkeeping.  Values are jansson
 * references: the cache holds its own, and ttlcache_get() returns a new
 * one (json_decref() it).  A JSON null may be cached to remember that
 * there was nothing.
 */
#ifndef RIF_TTLCACHE_H
#define RIF_TTLCACHE_H

#include <jansson.h>

struct ttlcache;

/* SLOTS entries kept for TTL seconds each; NULL on ENOMEM. */
struct ttlcache	*ttlcache_new(size_t slots, long ttl);
void		 ttlcache_free(struct ttlcache *);
/* The fresh value of KEY (a new reference), or NULL when there is none. */
json_t		*ttlcache_get(struct ttlcache *, const char *key);
/* Keep VALUE (not NULL) for KEY; the cache takes its own reference. */
void		 ttlcache_put(struct ttlcache *, const char *key, json_t *value);

#endif
