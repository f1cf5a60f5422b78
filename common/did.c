#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "did.h"

static int
scope_ok(const char *s, size_t n)
{
	if (n == 0 || n > DID_SCOPE_MAX)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") >= n;
}

static int
name_ok(const char *s, size_t n)
{
	if (n == 0 || n > DID_NAME_MAX || strchr("._-", s[0]) != NULL)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-/") >= n;
}

/* Fill D from SCOPE (SLEN bytes) and NAME (NLEN bytes) after checking them. */
static int
did_set(struct did *d, const char *scope, size_t slen, const char *name,
    size_t nlen, char *err, size_t errsize)
{
	if (!scope_ok(scope, slen)) {
		snprintf(err, errsize, "the scope must be 1 to %d characters "
		    "of A-Z, a-z, 0-9, _ . -", DID_SCOPE_MAX);
		return -1;
	}
	if (!name_ok(name, nlen)) {
		snprintf(err, errsize, "the name must be 1 to %d characters "
		    "of A-Z, a-z, 0-9, _ . - /, starting with a letter, digit "
		    "or /", DID_NAME_MAX);
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

int
did_parse_id(const char *s, struct did *d, char *err, size_t errsize)
{
	const char	*q, *slash, *last;

	if (strncmp(s, "ivo://", 6) != 0)
		return did_parse(s, d, err, errsize);
	if ((q = strchr(s + 6, '?')) == NULL || q == s + 6) {
		snprintf(err, errsize, "not a dataset IVOID: expected "
		    "ivo://authority?scope:name");
		return -1;
	}
	q++;
	slash = strchr(q, '/');
	if (strchr(q, ':') != NULL && (slash == NULL || strchr(q, ':') < slash))
		return did_parse(q, d, err, errsize);
	/* ivo://authority?scope/h1/h2/name: scope first, name last. */
	if (slash == NULL) {
		snprintf(err, errsize, "not a dataset IVOID: expected "
		    "ivo://authority?scope:name or ?scope/h1/h2/name");
		return -1;
	}
	last = strrchr(q, '/') + 1;
	return did_set(d, q, (size_t)(slash - q), last, strlen(last), err,
	    errsize);
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
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		 full[DID_SCOPE_MAX + DID_NAME_MAX + 2];
	int		 n;

	did_str(d, full, sizeof(full));
	if (!EVP_Digest(full, strlen(full), md, &mdlen, EVP_md5(), NULL) ||
	    mdlen < 2)
		return NULL;
	n = snprintf(buf, size, "%s/%02x/%02x/%s", d->scope, md[0], md[1],
	    d->name);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}

const char *
did_ivoid(const struct did *d, const char *authority, char *buf, size_t size)
{
	char	 path[DID_SCOPE_MAX + DID_NAME_MAX + 8];
	int	 n;

	if (did_path(d, path, sizeof(path)) == NULL)
		return NULL;
	n = snprintf(buf, size, "ivo://%s?%s", authority, path);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}
