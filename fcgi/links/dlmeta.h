/*
 * dlmeta: what the Rucio metadata of a DID adds to its links.
 *
 * The metadata (POSTGRES_JSON) may carry content_type, content_length (a
 * number or a numeric string), obs_id, and "datalinks": extra links as a
 * JSON array of {access_url, semantics, description, content_type}, or as
 * the prototype wrote them, a Python literal of the same list
 * ("[{'access_url': 'https://...', 'semantics': '#preview'}]").
 */
#ifndef RIF_DLMETA_H
#define RIF_DLMETA_H

#include <jansson.h>

/* The datalinks list of META as a JSON array (new reference), or NULL. */
json_t		*dlmeta_datalinks(const json_t *meta);
/* content_length of META, or -1. */
long long	 dlmeta_length(const json_t *meta);
/* A string member of META, or NULL. */
const char	*dlmeta_string(const json_t *meta, const char *key);

/*
 * Rewrite a Python literal (str, int, float, list, dict, True, False,
 * None) as JSON text.  Returns a malloc'd string, or NULL if it is not one.
 */
char		*dlmeta_pyliteral_to_json(const char *s);

#endif
