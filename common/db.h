/*
 * db: the process's one PostgreSQL connection, with prepared statements and
 * rows streamed as they arrive.
 *
 * The connection is opened on first use, not at start, so a program starts
 * and answers (with 503) while the database is down.  Each new connection
 * runs the registered setup statements, then prepares the registered
 * statements; a connection the server dropped is replaced on the next query,
 * and a query that finds its connection dead before any row is retried once
 * on a fresh one, so the first request after a database restart succeeds.
 * After a failed connection attempt, new attempts wait DB_RETRY_MS, so a
 * database that is down costs each request nothing but the 503.
 *
 * With several hosts in conninfo, libpq connects to the first that suits
 * target_session_attrs: the first host that answers ("any"), or a standby
 * ("prefer-standby").  A connection that had to settle for another server
 * (the first host was down, or no standby was up) looks for the preferred
 * one again every [database] failback_interval seconds, before a request,
 * and moves there when it answers: workers come back by themselves.
 *
 * Rows come one at a time (libpq single-row mode): the whole result is never
 * in memory.  A row returned by db_next() belongs to the db and stays valid
 * until the next db_next() or db_end().
 */
#ifndef RIF_DB_H
#define RIF_DB_H

#include <libpq-fe.h>

#include "config.h"

#define DB_RETRY_MS	1000

enum db_status {
	DB_OK,
	DB_UNAVAILABLE,	/* cannot connect, or the connection was lost */
	DB_TIMEOUT,	/* statement_timeout cancelled the query */
	DB_ERROR	/* the query failed: a bug or a schema mismatch */
};

struct db;

/* Settings from [database], which is copied; APPNAME is shown in
 * pg_stat_activity. */
struct db	*db_new(const struct config_database *, const char *appname);
void		 db_free(struct db *);

/* Run SQL (no parameters, result ignored) on every new connection. */
int		 db_add_setup(struct db *, const char *sql);
/* Prepare NAME as SQL, with NPARAMS text parameters, on every connection. */
int		 db_add_statement(struct db *, const char *name, const char *sql,
		    int nparams);

/* A statement to prepare, for a table of them. */
struct db_statement {
	const char	*name;
	const char	*sql;
	int		 nparams;
};
/* db_add_statement() for each of the N; -1 when memory runs out. */
int		 db_add_statements(struct db *, const struct db_statement *,
		    size_t n);
/*
 * SET ROLE to ROLE on every new connection ("" for none).  ROLE must be a
 * checked SQL name (config.c checks the keys that give one).
 */
int		 db_add_role(struct db *, const char *role);

/* Connect if needed and run a trivial query: DB_OK when usable. */
enum db_status	 db_ping(struct db *);

/*
 * Start prepared statement NAME with text parameters VALUES.  On DB_OK the
 * rows are read with db_next() until it returns NULL, then db_end() must be
 * called; on failure db_end() is not needed.
 */
enum db_status	 db_start(struct db *, const char *name, int nparams,
		    const char *const *values);
/*
 * The same for a statement given as text, without parameters.  It is
 * sent by the extended query protocol, so it is one statement at most.
 */
enum db_status	 db_start_sql(struct db *, const char *sql);
/*
 * COPY ... TO STDOUT, SQL (of the caller's making, one statement, sent
 * like db_start_sql()), whose data db_copy_out_next() then hands over a
 * piece at a time, as the server sends it (PostgreSQL sends a row a
 * piece); db_end() or db_cancel() end it as they end rows.
 */
enum db_status	 db_copy_out_start(struct db *, const char *sql);
/*
 * The next piece of the data, *LEN bytes, the db's until the next call
 * or db_end(); NULL at the end of the data or on failure, *ST telling
 * which (DB_OK at a normal end).
 */
const char	*db_copy_out_next(struct db *, size_t *len,
		    enum db_status *st);
/*
 * What SQL's rows would be, without running it: SQL is parsed (as the
 * unnamed statement) and described.  On DB_OK *DESC is a result without
 * rows whose PQnfields() and PQftype() tell the columns, which the caller
 * PQclear()s; a statement refused here fails as db_start_sql() would.
 * Like db_start(), it is sent again on a new connection when it finds
 * the connection dead.
 */
enum db_status	 db_describe_sql(struct db *, const char *sql,
		    PGresult **desc);
/*
 * Run SQL, a command of the caller's own making whose rows (if any) are
 * not wanted, e.g. "BEGIN READ WRITE", "ROLLBACK".  Like db_start(), a
 * command sent outside a transaction on a connection found dead is sent
 * again on a new one; inside a transaction it is not (what the
 * transaction did is gone with the old connection).
 */
enum db_status	 db_exec(struct db *, const char *sql);
/*
 * After a LISTEN (db_exec), wait up to TIMEOUT_MS for a notification
 * whose payload starts with PREFIX: 1 when one came, 0 when the time ran
 * out, -1 when the connection failed.  Notifications of other payloads
 * are dropped, as are any left from before.
 */
int		 db_wait_notify(struct db *, const char *prefix, long timeout_ms);
/*
 * COPY ... FROM STDIN: db_copy_start() sends SQL, db_copy_put() a piece
 * of the data (any cut), db_copy_end() finishes it, or with ABORT (a
 * sentence) makes the server refuse it.  Each returns DB_OK or how it
 * failed; after a failure only db_copy_end() is needed.
 */
enum db_status	 db_copy_start(struct db *, const char *sql);
enum db_status	 db_copy_put(struct db *, const char *buf, size_t len);
enum db_status	 db_copy_end(struct db *, const char *abort);

/*
 * The next row as a one-row PGresult, or NULL at the end of the rows or on
 * failure; *ST tells which (DB_OK at a normal end).
 */
const PGresult	*db_next(struct db *, enum db_status *st);
/* Discard any remaining rows and make the connection ready again. */
void		 db_end(struct db *);
/*
 * The same when the rest is not wanted (the client went away): the server
 * is asked to stop the query first, so that a large result is not read to
 * its end for nothing.
 */
void		 db_cancel(struct db *);

/*
 * A handle with which another thread may stop the query DB runs
 * (PQcancel(), which is safe to call from any thread), of the connection
 * as it is now; NULL when there is none.  The caller frees it with
 * PQfreeCancel().
 */
PGcancel	*db_cancel_handle(struct db *);

/* The server's message for the last failure, for the log only. */
const char	*db_last_error(const struct db *);
/*
 * Of the last failed query: its SQLSTATE and the server's primary message
 * (one sentence, no statement text), each "" when the server gave none.
 */
const char	*db_last_sqlstate(const struct db *);
const char	*db_last_message(const struct db *);

/*
 * How many connections have been made and set up so far: a change tells
 * that the next query runs on a new one (state read from the database on
 * the old one may be stale).
 */
unsigned long	 db_connections(const struct db *);

#endif
