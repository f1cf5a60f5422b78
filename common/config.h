/*
 * config: the one configuration file of the suite, read with iniparser.
 *
 * Every key is declared once in a table in config.c (section, name, type,
 * default, bounds); config_load() applies the defaults, converts and checks
 * every value, and refuses an unknown section or key, a value out of range,
 * or a missing required key, with a message that names it.  conf/rucio-ivoa.ini
 * documents the same keys with the same defaults.
 *
 * struct config owns its strings; config_free() releases them.  A program
 * loads its configuration once at start and keeps it for its lifetime.
 */
#ifndef RIF_CONFIG_H
#define RIF_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_DEFAULT_PATH	"/etc/rucio-ivoa/rucio-ivoa.ini"

/* The programs, for what each key is read by and required of. */
#define PROG_SCS	0x1
#define PROG_LINKS	0x2
#define PROG_SODA	0x4
#define PROG_ALL	(PROG_SCS | PROG_LINKS | PROG_SODA)

/* Bounds that code and configuration share. */
#define SODA_TRIES_MAX	20	/* [soda] max_tries: the sites one cutout tries */
#define CONFIG_ENV		"RUCIO_IVOA_CONFIG"

struct config {
	/* [log] */
	int		 log_level;		/* enum log_level */
	char		*log_file;		/* "" for stderr */
	/* [request] */
	long		 max_body;
	long		 max_params;
	long		 send_timeout;		/* milliseconds */
	/* [database] */
	char		*db_conninfo;
	long		 db_connect_timeout;	/* seconds */
	long		 db_statement_timeout;	/* milliseconds */
	/* [scs] */
	char		*scs_table;		/* validated schema.table */
	double		 scs_max_sr;		/* degrees */
	long		 scs_maxrec_default;
	long		 scs_maxrec_limit;
	char		*scs_public_url;	/* "" when derived */
	/* [http] */
	long		 http_connect_timeout;	/* milliseconds */
	long		 http_timeout;		/* milliseconds */
	char		*http_ca_file;
	/* [rucio] */
	char		*rucio_url;
	char		*rucio_account;
	char		*rucio_username;
	char		*rucio_password;
	char		*rucio_token_file;
	char		*rucio_oauth2_client_id;	/* "": not used */
	char		*rucio_oauth2_client_secret;
	char		*rucio_oauth2_scope;
	char		*rucio_oauth2_audience;
	/* [sites] */
	char		*sites_url;
	char		*sites_token;
	char		*sites_oauth2_client_id;	/* "": not used */
	char		*sites_oauth2_client_secret;
	char		*sites_oauth2_scope;
	char		*sites_oauth2_audience;
	int		 sites_2023;		/* the 2023 site directory shape */
	long		 sites_ttl;		/* seconds */
	/* [geoip] */
	char		*geoip_database;
	/* [dm] */
	char		*dm_url;
	/* [oauth2] */
	char		*oauth2_token_url;
	char		*oauth2_client_id;
	char		*oauth2_client_secret;
	char		*oauth2_scope;
	char		*oauth2_audience;
	/* [links] */
	int		 links_backend_dm;	/* 0: rucio, 1: dm */
	long		 links_max_ids;
	long		 links_request_timeout;	/* milliseconds */
	long		 links_maxrec_default;
	long		 links_maxrec_limit;
	long		 links_meta_ttl;		/* seconds; 0: no cache */
	char		*links_schemes;		/* space-separated, preferred first */
	int		 links_davs_to_https;
	char		*links_link_auth;	/* false, optional or true */
	char		*links_link_auth_rses;	/* "RSE=value ...", overrides */
	char		*links_ivoa_authority;
	char		*links_soda_proxy_url;
	char		*links_public_url;	/* "" when derived */
	/* [soda] */
	int		 soda_redirect;		/* 303 to the site, no proxying */
	int		 soda_id_form_did;	/* 0: path, 1: did */
	int		 soda_failover;
	long		 soda_max_tries;
	long		 soda_first_byte_timeout; /* milliseconds */
	long		 soda_stall_timeout;	/* milliseconds */
	long		 soda_min_rate;		/* bytes a second */
	int		 soda_unsafe_plain_http_tokens;
	char		*soda_public_url;	/* "" when derived */
};

/*
 * Load PATH into CFG for the program PROG (PROG_SCS...: a required key is
 * required only of the programs that read it).  Returns 0, or -1 with a
 * message in ERR (which names the file and the key at fault).
 */
int	config_load(const char *path, struct config *cfg, unsigned prog,
	    char *err, size_t errsize);
void	config_free(struct config *);

/*
 * Print the keys the program PROG reads to FP, one a line, as an operator
 * would write them: "[section] name = default", or "(required)" in place
 * of a default, and the accepted words of a one-word key.
 */
void	config_print_keys(FILE *fp, unsigned prog);

/*
 * The configuration file a program should read: the -c argument when given,
 * else $RUCIO_IVOA_CONFIG, else CONFIG_DEFAULT_PATH.
 */
const char *config_path(const char *arg);

/*
 * link_auth for a replica at RSE: its entry in [links] link_auth_rses,
 * else [links] link_auth.  One of "false", "optional", "true".
 */
const char *config_link_auth(const struct config *, const char *rse);

/* Is S a plain SQL name or schema.name ([A-Za-z_][A-Za-z0-9_]*)? */
int	config_sql_name_ok(const char *s);

#endif
