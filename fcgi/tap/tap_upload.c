#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adql_emit.h"
#include "adql_words.h"
#include "log.h"
#include "strbuf.h"
#include "tap_upload.h"
#include "upload_vot.h"

/* COPY data goes to the server in pieces of about this size. */
#define COPY_PIECE	(64 * 1024)
/* Limits of one uploaded table beyond [tap]'s. */
#define UPLOAD_MAX_COLS	1000
#define UPLOAD_MAX_CELL	(1024 * 1024)

/* --- The UPLOAD parameter ------------------------------------------------ */

/* Is S[0..N) an ADQL regular identifier that is not a reserved word? */
static int
regular_name(const char *s, size_t n)
{
	if (n == 0 || n > TAP_UPLOAD_NAME_MAX || !isalpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return !adql_reserved(s, n);
}

/* One "name,uri" of N bytes at S into U. */
static int
parse_one(struct tap_uploads *u, const char *s, size_t n, char *why,
    size_t whysize)
{
	const char		*comma = memchr(s, ',', n), *uri;
	struct tap_upload	*t;
	size_t			 nlen, ulen;
	char			 ex[UP_EXCERPT];

	if (comma == NULL) {
		snprintf(why, whysize, "UPLOAD: '%s' is not name,URI",
		    up_excerpt(s, n, ex, sizeof(ex)));
		return -1;
	}
	nlen = (size_t)(comma - s);
	uri = comma + 1;
	ulen = n - nlen - 1;
	if (!regular_name(s, nlen)) {
		snprintf(why, whysize, "UPLOAD: '%s' is not a table name (a "
		    "letter, then letters, digits or _, at most %d, not an "
		    "ADQL reserved word)", up_excerpt(s, nlen, ex, sizeof(ex)),
		    TAP_UPLOAD_NAME_MAX);
		return -1;
	}
	for (int i = 0; i < u->n; i++)
		if (strlen(u->up[i].name) == nlen &&
		    strncasecmp(u->up[i].name, s, nlen) == 0) {
			snprintf(why, whysize, "UPLOAD: the table %.*s is "
			    "given twice", (int)nlen, s);
			return -1;
		}
	if (u->n == TAP_UPLOAD_MAX) {
		snprintf(why, whysize, "UPLOAD: more than %d tables",
		    TAP_UPLOAD_MAX);
		return -1;
	}
	t = &u->up[u->n];
	memset(t, 0, sizeof(*t));
	memcpy(t->name, s, nlen);
	t->uri = uri;
	t->urilen = ulen;
	if (ulen > 6 && strncmp(uri, "param:", 6) == 0) {
		t->part = uri + 6;
		t->partlen = ulen - 6;
	} else if (!((ulen > 7 && strncasecmp(uri, "http://", 7) == 0) ||
	    (ulen > 8 && strncasecmp(uri, "https://", 8) == 0))) {
		snprintf(why, whysize, "UPLOAD %s: '%s' is neither param:NAME "
		    "nor an http or https URL", t->name,
		    up_excerpt(uri, ulen, ex, sizeof(ex)));
		return -1;
	}
	u->n++;
	return 0;
}

int
tap_upload_parse(struct tap_uploads *u, const char *value, char *why,
    size_t whysize)
{
	const char	*s = value, *semi;
	size_t		 n;

	/* TAP 1.0 joined several with ';', which no URI here may hold. */
	do {
		semi = strchr(s, ';');
		n = semi != NULL ? (size_t)(semi - s) : strlen(s);
		if (parse_one(u, s, n, why, whysize) == -1)
			return -1;
		s += n + 1;
	} while (semi != NULL);
	return 0;
}

void
tap_upload_attach(struct tap_uploads *u, const char *part, const char *data,
    size_t len)
{
	size_t	 n = strlen(part);

	for (int i = 0; i < u->n; i++) {
		struct tap_upload	*t = &u->up[i];

		/* The first part of a name is the one. */
		if (t->part != NULL && t->data == NULL && t->partlen == n &&
		    memcmp(t->part, part, n) == 0) {
			t->data = data;
			t->len = len;
		}
	}
}

int
tap_upload_check(const struct tap_uploads *u, char *why, size_t whysize)
{
	char	 ex[UP_EXCERPT];

	for (int i = 0; i < u->n; i++) {
		const struct tap_upload	*t = &u->up[i];

		if (t->part != NULL && t->data == NULL) {
			snprintf(why, whysize, "UPLOAD %s: the request has no "
			    "part named %s (send it as multipart/form-data)",
			    t->name, up_excerpt(t->part, t->partlen, ex,
			    sizeof(ex)));
			return -1;
		}
	}
	return 0;
}

int
tap_upload_resolve(struct tap_uploads *u, const struct params *p, char *why,
    size_t whysize)
{
	const struct param_part	*part;

	for (size_t k = 0; (part = params_part_at(p, k)) != NULL; k++)
		tap_upload_attach(u, part->name, part->data, part->len);
	return tap_upload_check(u, why, whysize);
}

void
tap_uploads_free(struct tap_uploads *u)
{
	for (int i = 0; i < u->n; i++) {
		free(u->up[i].own);
		u->up[i].own = NULL;
	}
}

/* --- The tables ------------------------------------------------------------ */

struct tap_upload_set {
	struct adql_catalog	 cat;
	struct adql_table	*tables;	/* the base's, then ours */
	struct adql_column	*cols[TAP_UPLOAD_MAX];
	struct upload_table	 up[TAP_UPLOAD_MAX];
	char			 dbname[TAP_UPLOAD_MAX][24];
	int			 n;
};

/* What the row callback needs while one table is read. */
struct loading {
	struct db		*db;
	struct upload_table	*t;
	const char		*dbname;
	struct strbuf		 sql;
	struct strbuf		 buf;	/* COPY data not yet sent */
	int			 copying;
	enum db_status		 st;
};

/* CREATE TEMPORARY TABLE for L's columns, then COPY into it. */
static int
start_copy(struct loading *l)
{
	const struct upload_table	*t = l->t;

	strbuf_reset(&l->sql);
	strbuf_printf(&l->sql, "CREATE TEMPORARY TABLE pg_temp.%s (",
	    l->dbname);
	for (int i = 0; i < t->ncols; i++) {
		if (i > 0)
			strbuf_puts(&l->sql, ", ");
		adql_emit_ident(&l->sql, t->cols[i].name);
		strbuf_printf(&l->sql, " %s", t->cols[i].sqltype);
	}
	if (strbuf_puts(&l->sql, ") ON COMMIT DROP") == -1)
		return -1;
	if ((l->st = db_exec(l->db, strbuf_str(&l->sql))) != DB_OK)
		return -1;
	strbuf_reset(&l->sql);
	if (strbuf_printf(&l->sql, "COPY pg_temp.%s FROM STDIN",
	    l->dbname) == -1)
		return -1;
	if ((l->st = db_copy_start(l->db, strbuf_str(&l->sql))) != DB_OK)
		return -1;
	l->copying = 1;
	return 0;
}

static int
flush(struct loading *l)
{
	if (l->buf.len == 0)
		return 0;
	if ((l->st = db_copy_put(l->db, l->buf.s, l->buf.len)) != DB_OK)
		return -1;
	strbuf_reset(&l->buf);
	return 0;
}

static int
on_row(void *ctx, const char *line, size_t len)
{
	struct loading	*l = ctx;

	if (!l->copying && start_copy(l) == -1)
		return -1;
	if (strbuf_add(&l->buf, line, len) == -1)
		return -1;
	return l->buf.len >= COPY_PIECE ? flush(l) : 0;
}

/* Read upload K of U into S's table K; DB_ERROR with WHY if refused. */
static enum db_status
load_one(struct tap_upload_set *s, struct db *db, const struct tap_upload *u,
    int k, const struct config_tap *cfg, char *why, size_t whysize)
{
	struct upload_limits	 lim = { .max_rows = cfg->upload_max_rows,
				    .max_cols = UPLOAD_MAX_COLS,
				    .max_cell = UPLOAD_MAX_CELL };
	struct loading		 l = { .db = db, .t = &s->up[k],
				    .dbname = s->dbname[k],
				    .sql = STRBUF_INIT, .buf = STRBUF_INIT };
	enum db_status		 end;
	char			 reason[400];
	int			 rc;

	snprintf(s->dbname[k], sizeof(s->dbname[k]), "tap_upload_%d", k + 1);
	rc = upload_vot_read(u->data, u->len, &lim, &s->up[k], on_row, &l,
	    reason, sizeof(reason));
	/* A table of no rows is still a table. */
	if (rc == 0 && !l.copying)
		rc = start_copy(&l);
	if (rc == 0)
		rc = flush(&l);
	if (l.copying && (end = db_copy_end(db, rc == 0 ? NULL :
	    "upload refused")) != DB_OK && rc == 0) {
		l.st = end;
		rc = -1;
	}
	strbuf_free(&l.sql);
	strbuf_free(&l.buf);
	if (rc == 0)
		return DB_OK;
	if (l.st == DB_OK) {
		/* The VOTable's fault, or memory: the reader says which. */
		snprintf(why, whysize, "UPLOAD %s: %s", u->name, reason);
		return DB_ERROR;
	}
	if (l.st == DB_ERROR)
		snprintf(why, whysize, "UPLOAD %s: the database refused the "
		    "table: %s", u->name, db_last_message(db));
	return l.st;
}

/* The catalogue: BASE's tables, then one for each upload. */
static int
build_catalog(struct tap_upload_set *s, const struct adql_catalog *base)
{
	int	 n = base->ntables;

	if ((s->tables = calloc((size_t)(n + s->n), sizeof(*s->tables))) ==
	    NULL)
		return -1;
	memcpy(s->tables, base->tables, (size_t)n * sizeof(*s->tables));
	for (int k = 0; k < s->n; k++) {
		const struct upload_table	*t = &s->up[k];
		struct adql_table		*at = &s->tables[n + k];

		if ((s->cols[k] = calloc((size_t)t->ncols,
		    sizeof(*s->cols[k]))) == NULL)
			return -1;
		for (int i = 0; i < t->ncols; i++) {
			s->cols[k][i].name = t->cols[i].name;
			s->cols[k][i].datatype = t->cols[i].datatype;
			/* "1" is a scalar's (VOTable 1.3 Erratum 3). */
			s->cols[k][i].arraysize = t->cols[i].arraysize != NULL &&
			    strcmp(t->cols[i].arraysize, "1") == 0 ? NULL :
			    t->cols[i].arraysize;
			s->cols[k][i].xtype = t->cols[i].xtype;
			s->cols[k][i].unit = t->cols[i].unit;
			s->cols[k][i].ucd = t->cols[i].ucd;
			s->cols[k][i].utype = t->cols[i].utype;
		}
		at->schema = "TAP_UPLOAD";
		at->db_schema = "pg_temp";
		at->db_name = s->dbname[k];
		at->cols = s->cols[k];
		at->ncols = t->ncols;
	}
	s->cat.tables = s->tables;
	s->cat.ntables = n + s->n;
	return 0;
}

enum db_status
tap_upload_load(struct db *db, const struct tap_uploads *u,
    const struct adql_catalog *base, const struct config_tap *cfg,
    struct tap_upload_set **out, char *why, size_t whysize)
{
	struct tap_upload_set	*s;
	enum db_status		 st = DB_OK;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(why, whysize, "Internal error: out of memory");
		return DB_ERROR;
	}
	for (int k = 0; k < u->n && st == DB_OK; k++) {
		st = load_one(s, db, &u->up[k], k, cfg, why, whysize);
		s->n = k + 1;
	}
	if (st == DB_OK && build_catalog(s, base) == -1) {
		snprintf(why, whysize, "Internal error: out of memory");
		st = DB_ERROR;
	}
	if (st != DB_OK) {
		tap_upload_set_free(s);
		return st;
	}
	/* The names are U's, which outlives the query. */
	for (int k = 0; k < s->n; k++)
		s->tables[base->ntables + k].name = u->up[k].name;
	*out = s;
	return DB_OK;
}

const struct adql_catalog *
tap_upload_catalog(const struct tap_upload_set *s)
{
	return &s->cat;
}

long
tap_upload_rows(const struct tap_upload_set *s, int k)
{
	return s->up[k].nrows;
}

void
tap_upload_set_free(struct tap_upload_set *s)
{
	if (s == NULL)
		return;
	for (int k = 0; k < s->n; k++) {
		free(s->cols[k]);
		upload_table_free(&s->up[k]);
	}
	free(s->tables);
	free(s);
}
