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
#define PROG_TAP	0x8
#define PROG_RUNNER	0x10	/* tap-runner: not a FastCGI program */
#define PROG_ALL	(PROG_SCS | PROG_LINKS | PROG_SODA | PROG_TAP)

/* Bounds that code and configuration share. */
#define SODA_TRIES_MAX	20	/* [soda] max_tries: the sites one cutout tries */
#define CONFIG_ENV		"RUCIO_IVOA_CONFIG"

/* The one-word keys, each value in the order config.c lists its words. */
enum sites_shape {
	SITES_SCAPI,		/* the SKA site capabilities API */
	SITES_2023		/* the 2023 site directory */
};
enum links_backend {
	BACKEND_RUCIO,		/* Rucio, the site directory and GeoIP */
	BACKEND_DM		/* the data-management API */
};
enum soda_id_form {
	ID_FORM_PATH,		/* ivo://authority?scope/path/of/file */
	ID_FORM_DID		/* ivo://authority?scope:name */
};

/*
 * One struct per section, so that a module is handed the sections it
 * reads and no others.
 */
struct config_log {
	int		 level;			/* enum log_level */
	char		*file;			/* "" for stderr */
};

struct config_request {
	long		 max_body;
	long		 max_params;
	long		 send_timeout;		/* milliseconds */
};

struct config_database {
	char		*conninfo;
	long		 connect_timeout;	/* seconds */
	long		 statement_timeout;	/* milliseconds */
	long		 failback_interval;	/* seconds; 0: never */
};

struct config_scs {
	char		*table;		/* validated schema.table */
	double		 max_sr;		/* degrees */
	long		 maxrec_default;
	long		 maxrec_limit;
	char		*public_url;		/* "" when derived */
};

struct config_tap {
	char		*role;		/* validated SQL name, or "" */
	long		 statement_timeout;	/* milliseconds */
	long		 maxrec_default;
	long		 maxrec_limit;
	char		*public_url;		/* "" when derived */
	/* Async jobs (UWS); durations in seconds. */
	char		*jobs_role;	/* validated SQL name, or "" */
	char		*runner_role;	/* validated SQL name, or "" */
	long		 execution_duration;	/* a new job's */
	long		 max_execution_duration;
	long		 destruction;	/* a job's lifetime, and its longest */
	long		 max_wait;	/* WAIT blocks this long at most */
	long		 max_queued;	/* jobs waiting to run, at most */
	char		*results_dir;
	long		 runner_threads;
	long		 runner_stale;	/* a runner silent this long is dead */
	/* TAP_UPLOAD */
	long		 upload_max_size;	/* bytes of a request or file */
	long		 upload_max_rows;	/* rows of one table */
	char		*upload_hosts;	/* URL uploads from these; "": any */
};

struct config_http {
	long		 connect_timeout;	/* milliseconds */
	long		 timeout;		/* milliseconds */
	char		*ca_file;
};

/* An OAuth2 client of [oauth2] token_url; client_id "" when not used. */
struct config_client {
	char		*client_id;
	char		*client_secret;
	char		*scope;
	char		*audience;
};

struct config_rucio {
	char			*url;
	char			*account;
	char			*username;
	char			*password;
	char			*token_file;
	struct config_client	 oauth2;	/* oauth2_client_id... */
};

struct config_sites {
	char			*url;
	char			*token;
	struct config_client	 oauth2;	/* oauth2_client_id... */
	enum sites_shape	 shape;
	long			 ttl;		/* seconds */
};

struct config_oauth2 {
	char			*token_url;
	struct config_client	 dm;	/* the data-management API's */
};

struct config_links {
	enum links_backend	 backend;
	long		 max_ids;
	long		 request_timeout;	/* milliseconds */
	long		 maxrec_default;
	long		 maxrec_limit;
	long		 meta_ttl;		/* seconds; 0: no cache */
	char		*schemes;	/* space-separated, preferred first */
	int		 davs_to_https;
	char		*link_auth;	/* false, optional or true */
	char		*link_auth_rses; /* "RSE=value ...", overrides */
	char		*ivoa_authority;
	char		*soda_proxy_url;
	char		*public_url;		/* "" when derived */
};

struct config_soda {
	int			 redirect;	/* 303 to the site, no relay */
	enum soda_id_form	 id_form;
	int			 failover;
	long			 max_tries;
	long			 first_byte_timeout; /* milliseconds */
	long			 stall_timeout;	/* milliseconds */
	long			 min_rate;	/* bytes a second */
	int			 unsafe_plain_http_tokens;
	char			*public_url;	/* "" when derived */
};

struct config {
	struct config_log	 log;
	struct config_request	 request;
	struct config_database	 database;
	struct config_scs	 scs;
	struct config_tap	 tap;
	struct config_http	 http;
	struct config_rucio	 rucio;
	struct config_sites	 sites;
	struct config_oauth2	 oauth2;
	char			*geoip_database; /* [geoip] database */
	char			*dm_url;	 /* [dm] url */
	struct config_links	 links;
	struct config_soda	 soda;
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
const char *config_link_auth(const struct config_links *, const char *rse);

/* Is S a plain SQL name or schema.name ([A-Za-z_][A-Za-z0-9_]*)? */
int	config_sql_name_ok(const char *s);

#endif
