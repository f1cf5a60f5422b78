#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "did.h"
#include "utf8.h"

/* Is the segment S (N bytes) one a path would drop or climb out of? */
static int
bad_segment(const char *s, size_t n)
{
	return n == 0 || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.');
}

/* Does S (N bytes), split on SEP, hold an empty, "." or ".." segment? */
static int
bad_segments(const char *s, size_t n, char sep)
{
	const char	*end = s + n, *p;

	for (;;) {
		p = memchr(s, sep, (size_t)(end - s));
		if (bad_segment(s, (size_t)((p != NULL ? p : end) - s)))
			return 1;
		if (p == NULL)
			return 0;
		s = p + 1;
	}
}

/* Rucio's hash lfn2pfn stores a user.* or group.* scope as directories. */
static int
scope_is_path(const char *s)
{
	return strncmp(s, "user", 4) == 0 || strncmp(s, "group", 5) == 0;
}

static int
scope_ok(const char *s, size_t n)
{
	if (n == 0 || n > DID_SCOPE_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") < n)
		return 0;
	return !(scope_is_path(s) ? bad_segments(s, n, '.') :
	    bad_segment(s, n));
}

/*
 * The length in bytes of the UTF-8 character at S (at most N bytes), or 0
 * when it is malformed or a control character (C0, DEL, C1): bytes no log
 * line, URL or XML document should carry raw.
 */
static size_t
utf8_char(const unsigned char *s, size_t n)
{
	uint32_t	 cp;
	size_t		 len;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if ((len = utf8_decode(s, n, &cp)) == 0 || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

/* Characters in S (N bytes) when it is clean UTF-8 text, else -1. */
static long
utf8_chars(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	long			 chars = 0;
	size_t			 k;

	for (size_t i = 0; i < n; i += k, chars++)
		if ((k = utf8_char(p + i, n - i)) == 0)
			return -1;
	return chars;
}

/* Fill D from SCOPE (SLEN bytes) and NAME (NLEN bytes) after checking them. */
static int
did_set(struct did *d, const char *scope, size_t slen, const char *name,
    size_t nlen, char *err, size_t errsize)
{
	long	 chars;

	if (!scope_ok(scope, slen)) {
		snprintf(err, errsize, "the scope must be 1 to %d characters "
		    "of A-Z, a-z, 0-9, _ . -, and not '.', '..' or (user and "
		    "group scopes) a dot at an end or beside another",
		    DID_SCOPE_MAX);
		return -1;
	}
	if (nlen > DID_NAME_BYTES || (chars = utf8_chars(name, nlen)) == -1) {
		snprintf(err, errsize, "the name must be UTF-8 text without "
		    "control characters");
		return -1;
	}
	if (chars == 0 || chars > DID_NAME_MAX) {
		snprintf(err, errsize, "the name must be 1 to %d characters",
		    DID_NAME_MAX);
		return -1;
	}
	if (bad_segments(name, nlen, '/')) {
		snprintf(err, errsize, "the name must not hold an empty, '.' or "
		    "'..' path segment");
		return -1;
	}
	memcpy(d->scope, scope, slen);
	d->scope[slen] = '\0';
	memcpy(d->name, name, nlen);
	d->name[nlen] = '\0';
	return 0;
}

int
did_parse(const char *s, struct did *d, char *err, size_t errsize)
{
	const char	*colon = strchr(s, ':');

	if (colon == NULL) {
		snprintf(err, errsize, "not a Rucio DID: expected scope:name");
		return -1;
	}
	return did_set(d, s, (size_t)(colon - s), colon + 1, strlen(colon + 1),
	    err, errsize);
}

/* The first two bytes of md5("scope:name") into H; -1 if it fails. */
static int
did_hash(const char *scope, size_t slen, const char *name, size_t nlen,
    unsigned char h[2])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		 full[DID_STR_MAX];

	if (slen + nlen + 2 > sizeof(full))
		return -1;
	memcpy(full, scope, slen);
	full[slen] = ':';
	memcpy(full + slen + 1, name, nlen);
	if (!EVP_Digest(full, slen + nlen + 1, md, &mdlen, EVP_md5(), NULL) ||
	    mdlen < 2)
		return -1;
	h[0] = md[0];
	h[1] = md[1];
	return 0;
}

/* Do the directories H1 and H2 (two hex digits each) hash SCOPE and NAME? */
static int
hash_matches(const char *scope, const char *name, const char *h1,
    const char *h2)
{
	unsigned char	 h[2];
	char		 hex[5];

	if (did_hash(scope, strlen(scope), name, strlen(name), h) == -1)
		return 0;
	snprintf(hex, sizeof(hex), "%02x%02x", h[0], h[1]);
	return strncmp(h1, hex, 2) == 0 && strncmp(h2, hex + 2, 2) == 0;
}

/*
 * The path form "scope/h1/h2/name", where a user or group scope spans
 * several segments and the name may too: take the split whose hash
 * directories match.  END walks the ends of the candidate scopes.
 */
static int
path_split(const char *q, struct did *d, char *err, size_t errsize)
{
	const char	*first = strchr(q, '/'), *end, *name;
	char		 scope[DID_SCOPE_MAX + 1];
	size_t		 slen;

	for (end = first; end != NULL; end = strchr(end + 1, '/')) {
		if ((slen = (size_t)(end - q)) > DID_SCOPE_MAX ||
		    (end != first && !scope_is_path(q)))
			break;
		if (strlen(end) < 8 || end[3] != '/' || end[6] != '/')
			continue;
		memcpy(scope, q, slen);
		scope[slen] = '\0';
		for (char *c = scope; *c != '\0'; c++)
			if (*c == '/')
				*c = '.';
		name = end + 7;
		if (hash_matches(scope, name, end + 1, end + 4))
			return did_set(d, scope, slen, name, strlen(name), err,
			    errsize);
	}
	name = strrchr(q, '/') + 1;
	return did_set(d, q, (size_t)(first - q), name, strlen(name), err,
	    errsize);
}

int
did_parse_id(const char *s, struct did *d, char *err, size_t errsize)
{
	const char	*q, *slash, *colon;

	if (strncmp(s, "ivo://", 6) != 0)
		return did_parse(s, d, err, errsize);
	if ((q = strchr(s + 6, '?')) == NULL || q == s + 6) {
		snprintf(err, errsize, "not a dataset IVOID: expected "
		    "ivo://authority?scope:name");
		return -1;
	}
	q++;
	slash = strchr(q, '/');
	colon = strchr(q, ':');
	if (colon != NULL && (slash == NULL || colon < slash))
		return did_parse(q, d, err, errsize);
	if (slash == NULL) {
		snprintf(err, errsize, "not a dataset IVOID: expected "
		    "ivo://authority?scope:name or ?scope/h1/h2/name");
		return -1;
	}
	return path_split(q, d, err, errsize);
}

const char *
did_str(const struct did *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s:%s", d->scope, d->name);
	return buf;
}

const char *
did_path(const struct did *d, char *buf, size_t size)
{
	unsigned char	 h[2];
	size_t		 slen = strlen(d->scope);
	int		 n;

	if (did_hash(d->scope, slen, d->name, strlen(d->name), h) == -1)
		return NULL;
	n = snprintf(buf, size, "%s/%02x/%02x/%s", d->scope, h[0], h[1],
	    d->name);
	if (n < 0 || (size_t)n >= size)
		return NULL;
	if (scope_is_path(d->scope))
		for (size_t i = 0; i < slen; i++)
			if (buf[i] == '.')
				buf[i] = '/';
	return buf;
}

const char *
did_ivoid(const struct did *d, const char *authority, char *buf, size_t size)
{
	char	 path[DID_STR_MAX];
	int	 n;

	if (did_path(d, path, sizeof(path)) == NULL)
		return NULL;
	n = snprintf(buf, size, "ivo://%s?%s", authority, path);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}
