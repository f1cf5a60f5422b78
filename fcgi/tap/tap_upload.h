/*
 * tap_upload: TAP_UPLOAD (TAP 1.1 §2.5.5, DALI 1.1 §3.4.5).  The UPLOAD
 * parameter names the tables a query may read as TAP_UPLOAD.name, each a
 * VOTable sent inline ("name,param:part", a part of a multipart/form-data
 * request) or at a URL ("name,https://...").
 *
 * tap_upload_parse() reads UPLOAD values into a struct tap_uploads, which
 * points into the values (and, once resolved, into the request's parts)
 * and owns nothing but what a fetch brought (tap_uploads_free()).  An
 * upload URL is the client's: the service fetches it as an anonymous
 * client would, without credentials of any kind.
 *
 * tap_upload_load() makes each table in the transaction that the caller
 * opened (BEGIN READ WRITE) on the query's connection: a temporary table
 * whose name is the service's, pg_temp.tap_upload_N, never the client's,
 * filled by COPY as the VOTable is read.  They go with the transaction, so
 * the next request on the connection finds none of them.  The set it
 * returns owns the catalogue the query is checked against (the published
 * tables and the uploads) until tap_upload_set_free(), which must follow
 * the last use of any tree checked against it.
 */
#ifndef RIF_TAP_UPLOAD_H
#define RIF_TAP_UPLOAD_H

#include <stddef.h>

#include "adql_catalog.h"
#include "config.h"
#include "db.h"
#include "params.h"

/* Tables one query may upload. */
#define TAP_UPLOAD_MAX		16
/* Longest upload name: a PostgreSQL identifier. */
#define TAP_UPLOAD_NAME_MAX	63

struct tap_upload {
	char		 name[TAP_UPLOAD_NAME_MAX + 1];	/* ADQL name */
	const char	*uri;		/* as given: param:X, http(s)://... */
	size_t		 urilen;
	const char	*part;		/* param:X: X, else NULL */
	size_t		 partlen;
	const char	*data;		/* the VOTable, once resolved */
	size_t		 len;
	char		*own;		/* data, when fetched */
};

struct tap_uploads {
	struct tap_upload	 up[TAP_UPLOAD_MAX];
	int			 n;
};

/*
 * Add the tables of one UPLOAD VALUE ("a,param:a" or several joined by
 * ';') to U.  0, or -1 with one sentence in WHY: a name that is not an
 * ADQL regular identifier or is given twice, a URI that is neither
 * param: nor http(s), too many tables.
 */
int	tap_upload_parse(struct tap_uploads *u, const char *value, char *why,
	    size_t whysize);

/*
 * The data of the part named PART (a request's, or one stored with a job)
 * for each param: upload of U that names it.
 */
void	tap_upload_attach(struct tap_uploads *u, const char *part,
	    const char *data, size_t len);
/* Every part of P attached, then tap_upload_check(). */
int	tap_upload_resolve(struct tap_uploads *u, const struct params *p,
	    char *why, size_t whysize);
/* 0 when every param: upload has its data; -1 with WHY naming one. */
int	tap_upload_check(const struct tap_uploads *u, char *why,
	    size_t whysize);

struct http;

/*
 * Fetch each URL upload of U with H (a GET: no redirect is followed, TLS
 * is verified, at most [tap] upload_max_size bytes), from a host of [tap]
 * upload_hosts when that is set, all of them within DEADLINE_MS.  0, or
 * -1 with WHY for the client.
 */
int	tap_upload_fetch(struct tap_uploads *u, struct http *h,
	    const struct config_tap *cfg, long deadline_ms, char *why,
	    size_t whysize);

/* Release what tap_upload_fetch() brought. */
void	tap_uploads_free(struct tap_uploads *);

struct tap_upload_set;

/*
 * Make U's tables on DB (inside the caller's open transaction) and the
 * catalogue of BASE's tables and them into *OUT.  DB_OK; DB_ERROR with
 * the client's sentence in WHY when an upload is refused (*OUT NULL);
 * another status when the database failed.
 */
enum db_status	tap_upload_load(struct db *db, const struct tap_uploads *u,
		    const struct adql_catalog *base,
		    const struct config_tap *cfg, struct tap_upload_set **out,
		    char *why, size_t whysize);
const struct adql_catalog *tap_upload_catalog(const struct tap_upload_set *);
/* Rows read into upload K. */
long	tap_upload_rows(const struct tap_upload_set *, int k);
void	tap_upload_set_free(struct tap_upload_set *);

#endif
