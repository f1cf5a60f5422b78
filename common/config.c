#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <iniparser.h>

#include "config.h"
#include "log.h"
#include "params.h"
#include "strbuf.h"

enum key_type {
	KEY_STRING,
	KEY_LONG,
	KEY_DOUBLE,
	KEY_BOOL,
	KEY_LOGLEVEL,
	KEY_WORD	/* one of WORDS, stored as its index (an int) */
};

struct key {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 offset;	/* into struct config */
	const char	*def;		/* NULL: required */
	double		 min, max;	/* KEY_LONG, KEY_DOUBLE */
	const char	*const *words;	/* KEY_WORD, NULL-terminated */
	unsigned	 progs;		/* who reads it (PROG_) */
};

/* A one-word key's words, each at its enum value, which is what is stored. */
static const char *const shapes[] = {
	[SITES_SCAPI] = "scapi", [SITES_2023] = "2023", NULL };
static const char *const backends[] = {
	[BACKEND_RUCIO] = "rucio", [BACKEND_DM] = "dm", NULL };
static const char *const id_forms[] = {
	[ID_FORM_PATH] = "path", [ID_FORM_DID] = "did", NULL };

/* set_word() stores an int where the enum is. */
_Static_assert(sizeof(enum sites_shape) == sizeof(int) &&
    sizeof(enum links_backend) == sizeof(int) &&
    sizeof(enum soda_id_form) == sizeof(int), "one-word keys are ints");

#define OFF(f)	offsetof(struct config, f)
/* The programs that query the database. */
#define PROG_DB	(PROG_SCS | PROG_TAP | PROG_RUNNER)
/* tap-runner reads the [tap] keys a query needs, as tap.fcgi does. */
#define PROG_TAPS	(PROG_TAP | PROG_RUNNER)

static const struct key keys[] = {
	{ "log", "level", KEY_LOGLEVEL, OFF(log.level), "info", 0, 0, NULL,
	    PROG_ALL | PROG_RUNNER },
	{ "log", "file", KEY_STRING, OFF(log.file), "", 0, 0, NULL,
	    PROG_ALL | PROG_RUNNER },
	{ "request", "max_body", KEY_LONG, OFF(request.max_body), "1048576", 1,
	    67108864, NULL, PROG_ALL },
	{ "request", "max_params", KEY_LONG, OFF(request.max_params), "1024", 1,
	    100000, NULL, PROG_ALL },
	{ "request", "send_timeout", KEY_LONG, OFF(request.send_timeout),
	    "60000", 100, 3600000, NULL, PROG_ALL },
	{ "database", "conninfo", KEY_STRING, OFF(database.conninfo), NULL, 0,
	    0, NULL, PROG_DB },
	{ "database", "connect_timeout", KEY_LONG,
	    OFF(database.connect_timeout), "5", 1, 300, NULL, PROG_DB },
	/* tap.fcgi's queries have [tap] statement_timeout instead. */
	{ "database", "statement_timeout", KEY_LONG,
	    OFF(database.statement_timeout), "10000", 1, 3600000, NULL,
	    PROG_SCS },
	{ "database", "failback_interval", KEY_LONG,
	    OFF(database.failback_interval), "30", 0, 86400, NULL, PROG_DB },
	{ "scs", "table", KEY_STRING, OFF(scs.table), "ivoa.obscore", 0, 0,
	    NULL, PROG_SCS },
	{ "scs", "max_sr", KEY_DOUBLE, OFF(scs.max_sr), "180", 0, 180, NULL,
	    PROG_SCS },
	{ "scs", "maxrec_default", KEY_LONG, OFF(scs.maxrec_default), "1000", 0,
	    100000000, NULL, PROG_SCS },
	{ "scs", "maxrec_limit", KEY_LONG, OFF(scs.maxrec_limit), "1000000", 1,
	    100000000, NULL, PROG_SCS },
	{ "scs", "public_url", KEY_STRING, OFF(scs.public_url), "", 0, 0, NULL,
	    PROG_SCS },
	{ "tap", "role", KEY_STRING, OFF(tap.role), "tap_reader", 0, 0, NULL,
	    PROG_TAPS },
	{ "tap", "statement_timeout", KEY_LONG, OFF(tap.statement_timeout),
	    "60000", 1, 3600000, NULL, PROG_TAPS },
	{ "tap", "maxrec_default", KEY_LONG, OFF(tap.maxrec_default), "10000",
	    0, 100000000, NULL, PROG_TAPS },
	{ "tap", "maxrec_limit", KEY_LONG, OFF(tap.maxrec_limit), "1000000", 1,
	    100000000, NULL, PROG_TAPS },
	{ "tap", "public_url", KEY_STRING, OFF(tap.public_url), "", 0, 0, NULL,
	    PROG_TAP },
	{ "tap", "jobs_role", KEY_STRING, OFF(tap.jobs_role), "tap_jobs", 0, 0,
	    NULL, PROG_TAP },
	{ "tap", "runner_role", KEY_STRING, OFF(tap.runner_role), "tap_runner",
	    0, 0, NULL, PROG_RUNNER },
	{ "tap", "execution_duration", KEY_LONG,
	    OFF(tap.execution_duration), "600", 1, 86400, NULL, PROG_TAP },
	{ "tap", "max_execution_duration", KEY_LONG,
	    OFF(tap.max_execution_duration), "3600", 1, 86400, NULL,
	    PROG_TAPS },
	{ "tap", "destruction", KEY_LONG, OFF(tap.destruction), "604800", 60,
	    31536000, NULL, PROG_TAP },
	{ "tap", "max_wait", KEY_LONG, OFF(tap.max_wait), "30", 0, 600, NULL,
	    PROG_TAP },
	{ "tap", "max_queued", KEY_LONG, OFF(tap.max_queued), "1000", 1,
	    1000000, NULL, PROG_TAP },
	{ "tap", "results_dir", KEY_STRING, OFF(tap.results_dir),
	    "/var/lib/rucio-ivoa/tap-results", 0, 0, NULL, PROG_RUNNER },
	{ "tap", "runner_threads", KEY_LONG, OFF(tap.runner_threads), "2", 1,
	    64, NULL, PROG_RUNNER },
	{ "tap", "runner_stale", KEY_LONG, OFF(tap.runner_stale), "60", 3,
	    3600, NULL, PROG_RUNNER },
	{ "tap", "upload_max_size", KEY_LONG, OFF(tap.upload_max_size),
	    "16777216", 1024, 1073741824, NULL, PROG_TAPS },
	{ "tap", "upload_max_rows", KEY_LONG, OFF(tap.upload_max_rows),
	    "100000", 1, 100000000, NULL, PROG_TAPS },
	{ "tap", "upload_hosts", KEY_STRING, OFF(tap.upload_hosts), "", 0, 0,
	    NULL, PROG_TAPS },
	{ "http", "connect_timeout", KEY_LONG, OFF(http.connect_timeout),
	    "2000", 1, 600000, NULL, PROG_LINKS | PROG_SODA | PROG_TAPS },
	{ "http", "timeout", KEY_LONG, OFF(http.timeout), "10000", 1, 3600000,
	    NULL, PROG_LINKS | PROG_SODA | PROG_TAPS },
	{ "http", "ca_file", KEY_STRING, OFF(http.ca_file), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA | PROG_TAPS },
	{ "rucio", "url", KEY_STRING, OFF(rucio.url), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "rucio", "account", KEY_STRING, OFF(rucio.account), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "rucio", "username", KEY_STRING, OFF(rucio.username), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "rucio", "password", KEY_STRING, OFF(rucio.password), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "rucio", "token_file", KEY_STRING, OFF(rucio.token_file), "", 0, 0,
	    NULL, PROG_LINKS | PROG_SODA },
	{ "rucio", "oauth2_client_id", KEY_STRING, OFF(rucio.oauth2.client_id),
	    "", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "rucio", "oauth2_client_secret", KEY_STRING,
	    OFF(rucio.oauth2.client_secret), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "rucio", "oauth2_scope", KEY_STRING, OFF(rucio.oauth2.scope),
	    "openid profile", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "rucio", "oauth2_audience", KEY_STRING, OFF(rucio.oauth2.audience),
	    "rucio", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "sites", "url", KEY_STRING, OFF(sites.url), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "sites", "token", KEY_STRING, OFF(sites.token), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "sites", "oauth2_client_id", KEY_STRING, OFF(sites.oauth2.client_id),
	    "", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "sites", "oauth2_client_secret", KEY_STRING,
	    OFF(sites.oauth2.client_secret), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "sites", "oauth2_scope", KEY_STRING, OFF(sites.oauth2.scope),
	    "openid profile site-capabilities-api-service", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "sites", "oauth2_audience", KEY_STRING, OFF(sites.oauth2.audience),
	    "site-capabilities-api", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "sites", "shape", KEY_WORD, OFF(sites.shape), "scapi", 0, 0, shapes,
	    PROG_LINKS | PROG_SODA },
	{ "sites", "ttl", KEY_LONG, OFF(sites.ttl), "300", 1, 86400, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "geoip", "database", KEY_STRING, OFF(geoip_database), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "dm", "url", KEY_STRING, OFF(dm_url), "", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "oauth2", "token_url", KEY_STRING, OFF(oauth2.token_url), "", 0, 0,
	    NULL, PROG_LINKS | PROG_SODA },
	{ "oauth2", "client_id", KEY_STRING, OFF(oauth2.dm.client_id), "", 0, 0,
	    NULL, PROG_LINKS | PROG_SODA },
	{ "oauth2", "client_secret", KEY_STRING, OFF(oauth2.dm.client_secret),
	    "", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "oauth2", "scope", KEY_STRING, OFF(oauth2.dm.scope),
	    "openid profile data-management-api-service", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "oauth2", "audience", KEY_STRING, OFF(oauth2.dm.audience),
	    "data-management-api", 0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "links", "backend", KEY_WORD, OFF(links.backend), "rucio", 0, 0,
	    backends, PROG_LINKS | PROG_SODA },
	{ "links", "max_ids", KEY_LONG, OFF(links.max_ids), "20", 1, 10000,
	    NULL, PROG_LINKS },
	{ "links", "request_timeout", KEY_LONG, OFF(links.request_timeout),
	    "50000", 100, 3600000, NULL, PROG_LINKS },
	{ "links", "maxrec_default", KEY_LONG, OFF(links.maxrec_default),
	    "10000", 1, 1000000, NULL, PROG_LINKS },
	{ "links", "maxrec_limit", KEY_LONG, OFF(links.maxrec_limit), "100000",
	    1, 1000000, NULL, PROG_LINKS },
	{ "links", "meta_ttl", KEY_LONG, OFF(links.meta_ttl), "60", 0, 86400,
	    NULL, PROG_LINKS },
	{ "links", "schemes", KEY_STRING, OFF(links.schemes), "https davs root",
	    0, 0, NULL, PROG_LINKS | PROG_SODA },
	{ "links", "davs_to_https", KEY_BOOL, OFF(links.davs_to_https), "false",
	    0, 0, NULL, PROG_LINKS },
	{ "links", "link_auth", KEY_STRING, OFF(links.link_auth), "true", 0, 0,
	    NULL, PROG_LINKS },
	{ "links", "link_auth_rses", KEY_STRING, OFF(links.link_auth_rses), "",
	    0, 0, NULL, PROG_LINKS },
	{ "links", "ivoa_authority", KEY_STRING, OFF(links.ivoa_authority),
	    "auth.example.org/datasets/fits", 0, 0, NULL,
	    PROG_LINKS | PROG_SODA },
	{ "links", "soda_proxy_url", KEY_STRING, OFF(links.soda_proxy_url), "",
	    0, 0, NULL, PROG_LINKS },
	{ "links", "public_url", KEY_STRING, OFF(links.public_url), "", 0, 0,
	    NULL, PROG_LINKS },
	{ "soda", "redirect", KEY_BOOL, OFF(soda.redirect), "false", 0, 0, NULL,
	    PROG_SODA },
	{ "soda", "id_form", KEY_WORD, OFF(soda.id_form), "path", 0, 0,
	    id_forms, PROG_SODA },
	{ "soda", "failover", KEY_BOOL, OFF(soda.failover), "true", 0, 0, NULL,
	    PROG_SODA },
	{ "soda", "max_tries", KEY_LONG, OFF(soda.max_tries), "3", 1,
	    SODA_TRIES_MAX, NULL, PROG_SODA },
	{ "soda", "first_byte_timeout", KEY_LONG, OFF(soda.first_byte_timeout),
	    "120000", 100, 3600000, NULL, PROG_SODA },
	{ "soda", "stall_timeout", KEY_LONG, OFF(soda.stall_timeout), "60000",
	    100, 3600000, NULL, PROG_SODA },
	{ "soda", "min_rate", KEY_LONG, OFF(soda.min_rate), "1024", 0,
	    1073741824, NULL, PROG_SODA },
	{ "soda", "unsafe_plain_http_tokens", KEY_BOOL,
	    OFF(soda.unsafe_plain_http_tokens), "false", 0, 0, NULL,
	    PROG_SODA },
	{ "soda", "public_url", KEY_STRING, OFF(soda.public_url), "", 0, 0,
	    NULL, PROG_SODA },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static const struct key *
key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (strcasecmp(keys[i].section, section) == 0 &&
		    (name == NULL || strcasecmp(keys[i].name, name) == 0))
			return &keys[i];
	return NULL;
}

/* Refuse sections and keys the table does not declare. */
static int
check_known(const dictionary *ini, char *err, size_t errsize)
{
	const char	**names, *sec, *key;
	int		 nsec, nkeys, i, j;

	nsec = iniparser_getnsec(ini);
	for (i = 0; i < nsec; i++) {
		sec = iniparser_getsecname(ini, i);
		if (key_find(sec, NULL) == NULL) {
			snprintf(err, errsize, "unknown section [%s]", sec);
			return -1;
		}
		if ((nkeys = iniparser_getsecnkeys(ini, sec)) <= 0)
			continue;
		if ((names = calloc((size_t)nkeys, sizeof(*names))) == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		iniparser_getseckeys(ini, sec, names);
		for (j = 0; j < nkeys; j++) {
			key = strchr(names[j], ':') + 1;
			if (key_find(sec, key) == NULL) {
				snprintf(err, errsize, "unknown key \"%s\" in "
				    "section [%s]", key, sec);
				free(names);
				return -1;
			}
		}
		free(names);
	}
	return 0;
}

/* V as the index of one of K->words; the message lists them all. */
static int
set_word(const struct key *k, const char *v, int *out, char *err,
    size_t errsize)
{
	struct strbuf	 them = STRBUF_INIT;
	int		 i;

	for (i = 0; k->words[i] != NULL; i++)
		if (strcmp(v, k->words[i]) == 0) {
			*out = i;
			return 0;
		}
	for (i = 0; k->words[i] != NULL; i++)
		strbuf_printf(&them, "%s%s", i == 0 ? "" : k->words[i + 1] ==
		    NULL ? " or " : ", ", k->words[i]);
	snprintf(err, errsize, "[%s] %s: \"%s\" is not %s", k->section,
	    k->name, v, strbuf_str(&them));
	strbuf_free(&them);
	return -1;
}

static int
set_value(struct config *cfg, const struct key *k, const char *v,
    char *err, size_t errsize)
{
	char		*base = (char *)cfg + k->offset;
	long long	 l;
	double		 d;
	int		 level;

	switch (k->type) {
	case KEY_STRING:
		if ((*(char **)(void *)base = strdup(v)) == NULL) {
			snprintf(err, errsize, "out of memory");
			return -1;
		}
		return 0;
	case KEY_BOOL:
		if (parse_bool(v, (int *)(void *)base) == -1) {
			snprintf(err, errsize, "[%s] %s: \"%s\" is not true or "
			    "false", k->section, k->name, v);
			return -1;
		}
		return 0;
	case KEY_WORD:
		return set_word(k, v, (int *)(void *)base, err, errsize);
	case KEY_LOGLEVEL:
		if ((level = log_level_parse(v)) < 0) {
			snprintf(err, errsize, "[%s] %s: \"%s\" is not one of "
			    "error, warn, info, debug", k->section, k->name, v);
			return -1;
		}
		*(int *)(void *)base = level;
		return 0;
	case KEY_LONG:
		if (parse_llong(v, &l) == -1 || l < k->min || l > k->max) {
			snprintf(err, errsize, "[%s] %s: \"%s\" is not an "
			    "integer in [%.0f, %.0f]", k->section, k->name, v,
			    k->min, k->max);
			return -1;
		}
		*(long *)(void *)base = (long)l;
		return 0;
	case KEY_DOUBLE:
		if (parse_double(v, &d) == -1 || d < k->min || d > k->max) {
			snprintf(err, errsize, "[%s] %s: \"%s\" is not a "
			    "number in [%g, %g]", k->section, k->name, v,
			    k->min, k->max);
			return -1;
		}
		*(double *)(void *)base = d;
		return 0;
	}
	return -1;
}

/* V (N bytes) as one of link_auth's words, or NULL when it is none. */
static const char *
link_auth_word(const char *v, size_t n)
{
	static const char *const words[] = { "false", "optional", "true" };

	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (strlen(words[i]) == n && strncmp(v, words[i], n) == 0)
			return words[i];
	return NULL;
}

/*
 * The next word of the list at *S (words apart by blanks), as NAME=VALUE:
 * 1 and the parts, 0 at the end.  *NLEN is 0 when the word has no '='
 * or nothing before it.
 */
static int
next_pair(const char **s, const char **name, size_t *nlen, const char **val,
    size_t *vlen)
{
	const char	*eq;
	size_t		 n;

	*s += strspn(*s, " \t");
	if (**s == '\0')
		return 0;
	n = strcspn(*s, " \t");
	eq = memchr(*s, '=', n);
	*name = *s;
	*nlen = eq != NULL ? (size_t)(eq - *s) : 0;
	*val = eq != NULL ? eq + 1 : *s + n;
	*vlen = n - (size_t)(*val - *s);
	*s += n;
	return 1;
}

/* "RSE=value ..." with every value one of link_auth's. */
static int
check_link_auth_rses(const char *s, char *err, size_t errsize)
{
	const char	*name, *val;
	size_t		 nlen, vlen;

	while (next_pair(&s, &name, &nlen, &val, &vlen))
		if (nlen == 0 || link_auth_word(val, vlen) == NULL) {
			snprintf(err, errsize, "[links] link_auth_rses: \"%.*s\" "
			    "is not RSE=false, RSE=optional or RSE=true",
			    (int)(val + vlen - name > 80 ? 80 : val + vlen - name),
			    name);
			return -1;
		}
	return 0;
}

const char *
config_link_auth(const struct config_links *links, const char *rse)
{
	const char	*s = links->link_auth_rses, *name, *val;
	size_t		 nlen, vlen;

	while (next_pair(&s, &name, &nlen, &val, &vlen))
		if (nlen == strlen(rse) && strncmp(name, rse, nlen) == 0)
			return link_auth_word(val, vlen);
	return links->link_auth;
}

/* Rules that tie keys together, checked once every key has its value. */
/* Is a section's maxrec_default above its maxrec_limit?  ERR says so. */
static int
maxrec_above(const char *section, long def, long limit, char *err,
    size_t errsize)
{
	if (def <= limit)
		return 0;
	snprintf(err, errsize, "[%s] maxrec_default: %ld is above maxrec_limit "
	    "(%ld)", section, def, limit);
	return 1;
}

/* Is [tap] KEY, when set, not a plain role name?  ERR says so. */
static int
role_bad(const char *key, const char *role, char *err, size_t errsize)
{
	if (*role == '\0' || (strchr(role, '.') == NULL &&
	    config_sql_name_ok(role)))
		return 0;
	snprintf(err, errsize, "[tap] %s: \"%s\" is not a role name "
	    "(letters, digits and _)", key, role);
	return 1;
}

static int
check_cross(const struct config *cfg, unsigned prog, char *err,
    size_t errsize)
{
	if (!config_sql_name_ok(cfg->scs.table)) {
		snprintf(err, errsize, "[scs] table: \"%s\" is not a table "
		    "name (schema.table, letters, digits and _)",
		    cfg->scs.table);
		return -1;
	}
	if (role_bad("role", cfg->tap.role, err, errsize) ||
	    role_bad("jobs_role", cfg->tap.jobs_role, err, errsize) ||
	    role_bad("runner_role", cfg->tap.runner_role, err, errsize))
		return -1;
	if (cfg->tap.execution_duration > cfg->tap.max_execution_duration) {
		snprintf(err, errsize, "[tap] execution_duration: %ld is above "
		    "max_execution_duration (%ld)", cfg->tap.execution_duration,
		    cfg->tap.max_execution_duration);
		return -1;
	}
	if (maxrec_above("scs", cfg->scs.maxrec_default, cfg->scs.maxrec_limit,
	    err, errsize) || maxrec_above("tap", cfg->tap.maxrec_default,
	    cfg->tap.maxrec_limit, err, errsize) ||
	    maxrec_above("links", cfg->links.maxrec_default,
	    cfg->links.maxrec_limit, err, errsize))
		return -1;
	if (link_auth_word(cfg->links.link_auth,
	    strlen(cfg->links.link_auth)) == NULL) {
		snprintf(err, errsize, "[links] link_auth: \"%s\" is not one of "
		    "false, optional, true", cfg->links.link_auth);
		return -1;
	}
	if (check_link_auth_rses(cfg->links.link_auth_rses, err, errsize) == -1)
		return -1;
	if ((*cfg->rucio.oauth2.client_id != '\0' ||
	    *cfg->sites.oauth2.client_id != '\0') &&
	    *cfg->oauth2.token_url == '\0') {
		snprintf(err, errsize, "[oauth2] token_url: required by [%s] "
		    "oauth2_client_id", *cfg->rucio.oauth2.client_id != '\0' ?
		    "rucio" : "sites");
		return -1;
	}
	if ((prog & PROG_DB) && cfg->database.conninfo[0] == '\0') {
		snprintf(err, errsize, "[database] conninfo: empty");
		return -1;
	}
	return 0;
}

int
config_load(const char *path, struct config *cfg, unsigned prog, char *err,
    size_t errsize)
{
	dictionary	*ini;
	char		 full[128], msg[512];
	const char	*v;
	size_t		 i;
	int		 rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if ((ini = iniparser_load(path)) == NULL) {
		snprintf(err, errsize, "%s: cannot read or parse the file", path);
		return -1;
	}
	if (check_known(ini, msg, sizeof(msg)) == -1)
		goto out;
	for (i = 0; i < NKEYS; i++) {
		snprintf(full, sizeof(full), "%s:%s", keys[i].section,
		    keys[i].name);
		if ((v = iniparser_getstring(ini, full, NULL)) == NULL &&
		    (v = keys[i].def) == NULL) {
			/* Required only of the programs that read it. */
			snprintf(msg, sizeof(msg), "[%s] %s: required",
			    keys[i].section, keys[i].name);
			if (keys[i].progs & prog)
				goto out;
			v = "";
		}
		if (set_value(cfg, &keys[i], v, msg, sizeof(msg)) == -1)
			goto out;
	}
	rc = check_cross(cfg, prog, msg, sizeof(msg));
out:
	if (rc == -1) {
		snprintf(err, errsize, "%s: %s", path, msg);
		config_free(cfg);
	}
	iniparser_freedict(ini);
	return rc;
}

void
config_print_keys(FILE *fp, unsigned prog)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		if ((k->progs & prog) == 0)
			continue;
		fprintf(fp, "[%s] %s = %s", k->section, k->name,
		    k->def == NULL ? "(required)" : k->def);
		if (k->type == KEY_WORD) {
			fputs("\t# one of:", fp);
			for (const char *const *w = k->words; *w != NULL; w++)
				fprintf(fp, " %s", *w);
		}
		fputc('\n', fp);
	}
}

void
config_free(struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == KEY_STRING) {
			char **s = (char **)(void *)((char *)cfg + keys[i].offset);
			free(*s);
			*s = NULL;
		}
}

const char *
config_path(const char *arg)
{
	const char	*env;

	if (arg != NULL)
		return arg;
	if ((env = getenv(CONFIG_ENV)) != NULL && *env != '\0')
		return env;
	return CONFIG_DEFAULT_PATH;
}

static int
sql_ident_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 63 || !(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
config_sql_name_ok(const char *s)
{
	const char	*dot = strchr(s, '.');

	if (dot == NULL)
		return sql_ident_ok(s, strlen(s));
	return sql_ident_ok(s, (size_t)(dot - s)) &&
	    sql_ident_ok(dot + 1, strlen(dot + 1));
}
