/*
 * tap_int: what the modules of tap.fcgi share: the state, the catalogue
 * as of the current connection, and the error document.
 */
#ifndef RIF_TAP_INT_H
#define RIF_TAP_INT_H

#include "config.h"
#include "db.h"
#include "http.h"
#include "request.h"
#include "response.h"
#include "tap_catalog.h"

struct tap {
	const struct config	*cfg;
	struct db		*db;		/* queries, as [tap] role */
	struct db		*jobs;		/* UWS jobs (tap.fcgi), or NULL */
	struct http		*http;		/* fetches URL uploads */
	struct tap_catalog	*cat;
	unsigned long		 cat_conn;	/* db_connections() it is of */
};

/*
 * The catalogue of the connection the next query runs on, read from
 * TAP_SCHEMA when there is none yet (a SIGHUP drops it) or the connection
 * is new; NULL when the database cannot give it, after answering R with
 * the error.
 */
const struct tap_catalog *tap_catalog(struct tap *, struct response *r);
/* Drop the catalogue, so that the next query reads TAP_SCHEMA (SIGHUP). */
void	tap_catalog_forget(struct tap *);
/* The same, with the failure in *ST instead of an answer. */
const struct tap_catalog *tap_catalog_get(struct tap *, enum db_status *st);

/* A DALI error document (a VOTable with QUERY_STATUS ERROR), with STATUS. */
void	tap_error(struct response *, int status, const char *text);

/* The synchronous query endpoint (tap_sync.c). */
void	tap_sync(void *state, const struct request *, struct response *);
/* /async and everything under it (tap_async.c). */
void	tap_async(struct tap *, const struct request *, struct response *);

#endif
