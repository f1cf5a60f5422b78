#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

#define DB_MAX_STMTS	16
#define DB_AGAIN_MS	50	/* a second look along a list of hosts */

struct db_stmt {
	char	*name;
	char	*sql;
	int	 nparams;
};

struct db {
	PGconn		*conn;
	char		*conninfo;
	char		 connect_timeout[16];
	char		 statement_timeout[16];
	char		*appname;
	char		*setup[DB_MAX_STMTS];
	int		 nsetup;
	struct db_stmt	 stmts[DB_MAX_STMTS];
	int		 nstmts;
	PGresult	*row;		/* the current result of the query */
	int		 fresh;		/* row not yet handed out by db_next() */
	int		 busy;		/* a query's results are being read */
	int		 copying;	/* and they are a COPY's data */
	char		*piece;		/* the last piece of it handed out */
	struct timespec	 retry_at;	/* no connection attempt before this */
	int		 several;	/* conninfo lists more than one host */
	long		 failback_s;	/* 0: stay where the connection is */
	int		 settled;	/* on a server libpq did not prefer */
	struct timespec	 failback_at;	/* look for the preferred one then */
	unsigned long	 connections;	/* made so far, each set up */
	char		 errmsg[256];
	char		 sqlstate[6];	/* of the last failure, or "" */
	char		 primary[256];	/* the server's own sentence, or "" */
};

static void
db_set_error(struct db *db, const char *what, const char *msg)
{
	size_t	 n;

	snprintf(db->errmsg, sizeof(db->errmsg), "%s: %s", what,
	    msg != NULL ? msg : "");
	n = strlen(db->errmsg);
	while (n > 0 && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
		db->errmsg[--n] = '\0';
}

/* Does CONNINFO name more than one host? */
static int
several_hosts(const char *conninfo)
{
	PQconninfoOption	*opts, *o;
	int			 several = 0;

	if ((opts = PQconninfoParse(conninfo, NULL)) == NULL)
		return 0;
	for (o = opts; o->keyword != NULL; o++)
		if ((strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0) && o->val != NULL &&
		    strchr(o->val, ',') != NULL)
			several = 1;
	PQconninfoFree(opts);
	return several;
}

struct db *
db_new(const struct config_database *cfg, const char *appname)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->conninfo = strdup(cfg->conninfo);
	db->appname = strdup(appname);
	if (db->conninfo == NULL || db->appname == NULL) {
		db_free(db);
		return NULL;
	}
	snprintf(db->connect_timeout, sizeof(db->connect_timeout), "%ld",
	    cfg->connect_timeout);
	snprintf(db->statement_timeout, sizeof(db->statement_timeout), "%ld",
	    cfg->statement_timeout);
	db->failback_s = cfg->failback_interval;
	db->several = several_hosts(cfg->conninfo);
	return db;
}

static void
db_disconnect(struct db *db)
{
	PQclear(db->row);
	db->row = NULL;
	PQfreemem(db->piece);
	db->piece = NULL;
	db->busy = db->copying = 0;
	PQfinish(db->conn);
	db->conn = NULL;
}

void
db_free(struct db *db)
{
	int	 i;

	if (db == NULL)
		return;
	db_disconnect(db);
	for (i = 0; i < db->nsetup; i++)
		free(db->setup[i]);
	for (i = 0; i < db->nstmts; i++) {
		free(db->stmts[i].name);
		free(db->stmts[i].sql);
	}
	free(db->conninfo);
	free(db->appname);
	free(db);
}

int
db_add_setup(struct db *db, const char *sql)
{
	if (db->nsetup == DB_MAX_STMTS ||
	    (db->setup[db->nsetup] = strdup(sql)) == NULL)
		return -1;
	db->nsetup++;
	return 0;
}

int
db_add_statement(struct db *db, const char *name, const char *sql, int nparams)
{
	struct db_stmt	*s;

	if (db->nstmts == DB_MAX_STMTS)
		return -1;
	s = &db->stmts[db->nstmts];
	s->name = strdup(name);
	s->sql = strdup(sql);
	s->nparams = nparams;
	if (s->name == NULL || s->sql == NULL) {
		free(s->name);
		free(s->sql);
		return -1;
	}
	db->nstmts++;
	return 0;
}

int
db_add_statements(struct db *db, const struct db_statement *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (db_add_statement(db, s[i].name, s[i].sql,
		    s[i].nparams) != 0)
			return -1;
	return 0;
}

int
db_add_role(struct db *db, const char *role)
{
	char	 sql[96];

	if (*role == '\0')
		return 0;
	/* A checked SQL name, quoted as one. */
	snprintf(sql, sizeof(sql), "SET ROLE \"%s\"", role);
	return db_add_setup(db, sql);
}

/* Run one command on a fresh connection; -1 (logged) if it fails. */
static int
db_command(struct db *db, PGresult *res, const char *what)
{
	ExecStatusType	 st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		db_set_error(db, what, PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int
db_setup(struct db *db)
{
	const char	*p[1] = { db->statement_timeout };
	int		 i;

	/* Only our own statements run here: pin what name lookup may find. */
	if (db_command(db, PQexec(db->conn,
	    "SELECT pg_catalog.set_config('search_path', '', false)"),
	    "search_path") == -1 ||
	    db_command(db, PQexecParams(db->conn, "SELECT pg_catalog."
	    "set_config('statement_timeout', $1, false)", 1, NULL, p, NULL,
	    NULL, 0), "statement_timeout") == -1)
		return -1;
	for (i = 0; i < db->nsetup; i++)
		if (db_command(db, PQexec(db->conn, db->setup[i]),
		    "setup") == -1)
			return -1;
	for (i = 0; i < db->nstmts; i++)
		if (db_command(db, PQprepare(db->conn, db->stmts[i].name,
		    db->stmts[i].sql, db->stmts[i].nparams, NULL),
		    db->stmts[i].name) == -1)
			return -1;
	return 0;
}

static int
time_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* NOW plus MS milliseconds into *AT. */
static void
time_after(struct timespec *at, const struct timespec *now, long ms)
{
	*at = *now;
	at->tv_sec += ms / 1000;
	at->tv_nsec += (ms % 1000) * 1000000L;
	if (at->tv_nsec >= 1000000000L) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000L;
	}
}

static PGconn *
db_open(const struct db *db)
{
	/*
	 * conninfo comes last, so what the operator wrote there wins.  Over
	 * TCP, a server host that vanishes is noticed within about a minute
	 * (keepalives, and unacknowledged data given up after 30 s) instead of
	 * the kernel's two hours and more, so no worker waits on it that long.
	 */
	const char *const keys[] = { "connect_timeout", "application_name",
	    "client_encoding", "keepalives", "keepalives_idle",
	    "keepalives_interval", "keepalives_count", "tcp_user_timeout",
	    "dbname", NULL };
	const char *const vals[] = { db->connect_timeout, db->appname,
	    "UTF8", "1", "30", "10", "3", "30000", db->conninfo, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

/* Is S's first comma-separated element E (an absent list: any E)? */
static int
first_is(const char *s, const char *e)
{
	size_t	 n;

	if (s == NULL || *s == '\0')
		return 1;
	n = strcspn(s, ",");
	return e != NULL && strlen(e) == n && strncmp(s, e, n) == 0;
}

/*
 * Did C settle for a server libpq would not pick first?  Only a list of
 * hosts can have a preferred one: the first ("any") or a standby
 * ("prefer-standby"); the strict kinds connect to what they ask or fail.
 */
static int
db_settled(PGconn *c)
{
	PQconninfoOption	*opts, *o;
	const char		*host = NULL, *port = NULL, *attrs = NULL;
	const char		*standby;
	int			 settled = 0;

	if ((opts = PQconninfo(c)) == NULL)
		return 0;
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "target_session_attrs") == 0)
			attrs = o->val;
	if (host != NULL && strchr(host, ',') != NULL) {
		standby = PQparameterStatus(c, "in_hot_standby");
		if (attrs != NULL && strcmp(attrs, "prefer-standby") == 0)
			settled = standby != NULL && strcmp(standby, "off") == 0;
		else if (attrs == NULL || strcmp(attrs, "any") == 0)
			settled = !first_is(host, PQhost(c)) ||
			    (port != NULL && strchr(port, ',') != NULL &&
			    !first_is(port, PQport(c)));
	}
	PQconninfoFree(opts);
	return settled;
}

/*
 * The connection settled for another server: open a new one, and move to
 * it if it reached the preferred server.  Whatever the outcome, the next
 * look is failback_interval away.
 */
static void
db_failback(struct db *db, const struct timespec *now)
{
	PGconn	*c;
	char	 was[128];

	time_after(&db->failback_at, now, db->failback_s * 1000);
	c = db_open(db);
	if (c == NULL || PQstatus(c) != CONNECTION_OK || db_settled(c)) {
		PQfinish(c);
		return;
	}
	snprintf(was, sizeof(was), "%s:%s", PQhost(db->conn), PQport(db->conn));
	db_disconnect(db);
	db->conn = c;
	db->settled = 0;
	if (db_setup(db) == -1) {
		log_error("database: %s", db->errmsg);
		db_disconnect(db);
		return;
	}
	db->connections++;
	log_info("database: back on the preferred server %s:%s (was %s)",
	    PQhost(c), PQport(c), was);
}

static enum db_status
db_connect(struct db *db)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		if (db->settled && db->failback_s > 0 &&
		    !time_before(&now, &db->failback_at))
			db_failback(db, &now);
		if (db->conn != NULL)
			return DB_OK;
	}
	db_disconnect(db);
	if (time_before(&now, &db->retry_at))
		return DB_UNAVAILABLE;
	db->conn = db_open(db);
	/*
	 * A server in an immediate shutdown may take a new connection and drop
	 * it, and libpq then stops there instead of trying the next host; a
	 * moment later the server is gone and the next host is tried.
	 */
	if (db->several && (db->conn == NULL ||
	    PQstatus(db->conn) != CONNECTION_OK)) {
		db_set_error(db, "connect", PQerrorMessage(db->conn));
		log_warn("database: %s; trying the hosts again", db->errmsg);
		PQfinish(db->conn);
		nanosleep(&(struct timespec){ 0, DB_AGAIN_MS * 1000000L }, NULL);
		db->conn = db_open(db);
	}
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    db_setup(db) == 0) {
		db->connections++;
		if ((db->settled = db_settled(db->conn)))
			time_after(&db->failback_at, &now,
			    db->failback_s * 1000);
		log_info("database connected to %s:%s (%s%s)", PQhost(db->conn),
		    PQport(db->conn), PQparameterStatus(db->conn,
		    "server_version"), db->settled ? ", not the preferred "
		    "server" : "");
		return DB_OK;
	}
	if (db->conn != NULL && PQstatus(db->conn) != CONNECTION_OK)
		db_set_error(db, "connect", PQerrorMessage(db->conn));
	log_error("database unavailable: %s", db->errmsg);
	db_disconnect(db);
	time_after(&db->retry_at, &now, DB_RETRY_MS);
	return DB_UNAVAILABLE;
}

/* What a failed result means for the caller. */
static enum db_status
db_classify(struct db *db, const PGresult *res)
{
	const char	*state;

	db_set_error(db, "query", res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(db->conn));
	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state != NULL ?
	    state : "");
	snprintf(db->primary, sizeof(db->primary), "%s", res != NULL &&
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "");
	/*
	 * No SQLSTATE: libpq's own error, not the server's; after a server
	 * crash ("server closed the connection unexpectedly") the connection
	 * may still read as fine until the next call.
	 */
	if (PQstatus(db->conn) != CONNECTION_OK || state == NULL)
		return DB_UNAVAILABLE;
	if (state != NULL && strcmp(state, "57014") == 0)
		return DB_TIMEOUT;
	/* Class 57 (admin shutdown, crash shutdown...) and 08: connection. */
	if (state != NULL && (strncmp(state, "57", 2) == 0 ||
	    strncmp(state, "08", 2) == 0))
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

/* How the failed result RES went, which is freed, and so the connection. */
static enum db_status
db_failed(struct db *db, PGresult *res)
{
	enum db_status	 st = db_classify(db, res);

	PQclear(res);
	if (st == DB_UNAVAILABLE)
		db_disconnect(db);
	return st;
}

enum db_status
db_ping(struct db *db)
{
	PGresult	*res;
	enum db_status	 st;

	if ((st = db_connect(db)) != DB_OK)
		return st;
	res = PQexec(db->conn, "SELECT 1");
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		return DB_OK;
	}
	return db_failed(db, res);
}

/*
 * Send the prepared statement NAME, or else the text SQL, and wait for its
 * first result, which is kept in db->row; with COPY, SQL is a COPY TO
 * STDOUT whose data is read instead.  A dead connection is reported as
 * DB_UNAVAILABLE with nothing sent.
 */
static enum db_status
db_send(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *values, int copy)
{
	ExecStatusType	 rs;
	enum db_status	 st;
	int		 sent;

	if ((st = db_connect(db)) != DB_OK)
		return st;
	db->sqlstate[0] = db->primary[0] = '\0';
	/*
	 * Text goes by the extended protocol too, which takes one statement
	 * only: whatever the text holds, a second statement is an error.
	 */
	sent = name != NULL ? PQsendQueryPrepared(db->conn, name, nparams,
	    values, NULL, NULL, 0) : PQsendQueryParams(db->conn, sql, 0, NULL,
	    NULL, NULL, NULL, 0);
	if (!sent || (!copy && !PQsetSingleRowMode(db->conn))) {
		st = db_classify(db, NULL);
		db_disconnect(db);
		return st == DB_ERROR ? DB_UNAVAILABLE : st;
	}
	db->busy = 1;
	db->fresh = 1;
	db->row = PQgetResult(db->conn);
	rs = PQresultStatus(db->row);
	/* A COPY's data is read as such however it came to be sent. */
	db->copying = rs == PGRES_COPY_OUT;
	if (copy ? db->copying : rs == PGRES_SINGLE_TUPLE ||
	    rs == PGRES_TUPLES_OK)
		return DB_OK;
	st = db_classify(db, db->row);
	db_end(db);
	if (st == DB_UNAVAILABLE)
		db_disconnect(db);
	return st;
}

/*
 * May a statement that finds the connection dead be sent again on a new
 * one?  Only when there was one, and it held no transaction: whatever a
 * transaction had done went with the connection.
 */
static int
db_may_retry(const struct db *db)
{
	return db->conn != NULL &&
	    PQtransactionStatus(db->conn) == PQTRANS_IDLE;
}

/*
 * Should a statement that ended ST be sent again?  AGAIN is what
 * db_may_retry() said before it was sent.  A connection that was fine at
 * the last request but is dead now means the server restarted in
 * between: nothing was read yet, and the statements only read, so asking
 * again on a new one is safe.
 */
static int
db_retry(struct db *db, enum db_status st, int again)
{
	if (st != DB_UNAVAILABLE || !again)
		return 0;
	log_warn("database connection lost (%s); reconnecting", db->errmsg);
	memset(&db->retry_at, 0, sizeof(db->retry_at));
	return 1;
}

/* db_start(), db_start_sql() and db_copy_out_start(). */
static enum db_status
db_begin(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *values, int copy)
{
	enum db_status	 st;
	int		 again = db_may_retry(db);

	st = db_send(db, name, sql, nparams, values, copy);
	if (db_retry(db, st, again))
		st = db_send(db, name, sql, nparams, values, copy);
	return st;
}

enum db_status
db_start(struct db *db, const char *name, int nparams, const char *const *values)
{
	return db_begin(db, name, NULL, nparams, values, 0);
}

enum db_status
db_start_sql(struct db *db, const char *sql)
{
	return db_begin(db, NULL, sql, 0, NULL, 0);
}

enum db_status
db_copy_out_start(struct db *db, const char *sql)
{
	return db_begin(db, NULL, sql, 0, NULL, 1);
}

/* Parse SQL as the unnamed statement and describe it. */
static enum db_status
db_describe_once(struct db *db, const char *sql, PGresult **desc)
{
	PGresult	*res;
	enum db_status	 st;

	if ((st = db_connect(db)) != DB_OK)
		return st;
	db->sqlstate[0] = db->primary[0] = '\0';
	res = PQprepare(db->conn, "", sql, 0, NULL);
	if (PQresultStatus(res) == PGRES_COMMAND_OK) {
		PQclear(res);
		res = PQdescribePrepared(db->conn, "");
		if (PQresultStatus(res) == PGRES_COMMAND_OK) {
			*desc = res;
			return DB_OK;
		}
	}
	return db_failed(db, res);
}

enum db_status
db_describe_sql(struct db *db, const char *sql, PGresult **desc)
{
	enum db_status	 st;
	int		 again = db_may_retry(db);

	*desc = NULL;
	st = db_describe_once(db, sql, desc);
	if (db_retry(db, st, again))
		st = db_describe_once(db, sql, desc);
	return st;
}

unsigned long
db_connections(const struct db *db)
{
	return db->connections;
}

const char *
db_last_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

const char *
db_last_message(const struct db *db)
{
	return db->primary;
}

const PGresult *
db_next(struct db *db, enum db_status *st)
{
	*st = DB_OK;
	if (!db->busy || db->copying)
		return NULL;
	/* The first result was fetched by db_send(); later ones here. */
	if (!db->fresh) {
		PQclear(db->row);
		db->row = PQgetResult(db->conn);
	}
	db->fresh = 0;
	switch (PQresultStatus(db->row)) {
	case PGRES_SINGLE_TUPLE:
		return db->row;
	case PGRES_TUPLES_OK:		/* the zero-row end marker */
		return NULL;
	default:
		*st = db_classify(db, db->row);
		return NULL;
	}
}

const char *
db_copy_out_next(struct db *db, size_t *len, enum db_status *st)
{
	int	 n;

	*st = DB_OK;
	PQfreemem(db->piece);
	db->piece = NULL;
	if (!db->busy || !db->copying)
		return NULL;
	if ((n = PQgetCopyData(db->conn, &db->piece, 0)) > 0) {
		*len = (size_t)n;
		return db->piece;
	}
	/* The end of the data (-1) or of the connection (-2); then how. */
	db->copying = 0;
	PQclear(db->row);
	db->row = PQgetResult(db->conn);
	if (n == -1 && PQresultStatus(db->row) == PGRES_COMMAND_OK)
		return NULL;
	*st = db_classify(db, db->row);
	return NULL;
}

void
db_end(struct db *db)
{
	PGresult	*res;
	char		*piece;

	PQclear(db->row);
	db->row = NULL;
	PQfreemem(db->piece);
	db->piece = NULL;
	if (!db->busy)
		return;
	/* A COPY's data is read to its end before its result comes. */
	while (db->copying && PQgetCopyData(db->conn, &piece, 0) > 0)
		PQfreemem(piece);
	db->copying = 0;
	/* libpq needs every result read before the next query. */
	while ((res = PQgetResult(db->conn)) != NULL)
		PQclear(res);
	db->busy = 0;
	if (PQstatus(db->conn) != CONNECTION_OK)
		db_disconnect(db);
}

void
db_cancel(struct db *db)
{
	PGcancel	*c;
	char		 err[256];

	if (!db->busy || db->conn == NULL)
		return;
	/* Best effort: if it fails, db_end() reads the rest as usual. */
	if ((c = PQgetCancel(db->conn)) != NULL) {
		if (!PQcancel(c, err, sizeof(err)))
			log_warn("database: cancel failed: %s", err);
		PQfreeCancel(c);
	}
	db_end(db);
}

PGcancel *
db_cancel_handle(struct db *db)
{
	return db->conn != NULL ? PQgetCancel(db->conn) : NULL;
}

const char *
db_last_error(const struct db *db)
{
	return db->errmsg;
}

/* Send SQL and wait for its result, which must be of status WANT. */
static enum db_status
db_command_once(struct db *db, const char *sql, ExecStatusType want)
{
	PGresult	*res;
	enum db_status	 st;

	if ((st = db_connect(db)) != DB_OK)
		return st;
	db->sqlstate[0] = db->primary[0] = '\0';
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) == want) {
		PQclear(res);
		return DB_OK;
	}
	st = db_classify(db, res);
	PQclear(res);
	/* COPY_IN was not reached: libpq may still hold other results. */
	while ((res = PQgetResult(db->conn)) != NULL)
		PQclear(res);
	if (st == DB_UNAVAILABLE)
		db_disconnect(db);
	return st;
}

enum db_status
db_exec(struct db *db, const char *sql)
{
	enum db_status	 st;
	int		 again = db_may_retry(db);

	st = db_command_once(db, sql, PGRES_COMMAND_OK);
	if (db_retry(db, st, again))
		st = db_command_once(db, sql, PGRES_COMMAND_OK);
	return st;
}

enum db_status
db_copy_start(struct db *db, const char *sql)
{
	return db_command_once(db, sql, PGRES_COPY_IN);
}

enum db_status
db_copy_put(struct db *db, const char *buf, size_t len)
{
	enum db_status	 st;

	/* A blocking connection: 1 once the data is queued, -1 on failure. */
	while (len > 0) {
		int	 n = len > (size_t)1 << 30 ? 1 << 30 : (int)len;

		if (PQputCopyData(db->conn, buf, n) != 1) {
			st = db_classify(db, NULL);
			return st == DB_ERROR ? DB_UNAVAILABLE : st;
		}
		buf += n;
		len -= (size_t)n;
	}
	return DB_OK;
}

enum db_status
db_copy_end(struct db *db, const char *abort)
{
	PGresult	*res;
	enum db_status	 st = DB_OK;

	if (db->conn == NULL)
		return DB_UNAVAILABLE;
	if (PQputCopyEnd(db->conn, abort) != 1) {
		(void)db_classify(db, NULL);
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	while ((res = PQgetResult(db->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && st == DB_OK)
			st = db_classify(db, res);
		PQclear(res);
	}
	if (st == DB_UNAVAILABLE)
		db_disconnect(db);
	return st;
}

/* Any notification in hand whose payload starts with PREFIX?  Drops all. */
static int
db_notified(struct db *db, const char *prefix)
{
	PGnotify	*n;
	int		 hit = 0;

	while ((n = PQnotifies(db->conn)) != NULL) {
		if (strncmp(n->extra, prefix, strlen(prefix)) == 0)
			hit = 1;
		PQfreemem(n);
	}
	return hit;
}

int
db_wait_notify(struct db *db, const char *prefix, long timeout_ms)
{
	struct timespec	 now, until;
	struct pollfd	 pfd;
	long		 left;

	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	time_after(&until, &now, timeout_ms);
	for (;;) {
		if (PQconsumeInput(db->conn) == 0)
			return -1;
		if (db_notified(db, prefix))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (until.tv_sec - now.tv_sec) * 1000L +
		    (until.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return 0;
		pfd.fd = PQsocket(db->conn);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) == -1 &&
		    errno != EINTR)
			return -1;
	}
}
