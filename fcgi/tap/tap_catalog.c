#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "log.h"
#include "tap_catalog.h"

/* Longest name part: PostgreSQL's identifiers are at most 63 bytes. */
#define NAME_MAX_LEN	64

/* What the catalogue owns besides its arrays of tables and schemas. */
struct tap_catalog_mem {
	char			**strs;
	size_t			 nstrs, capstrs;
	struct adql_table	*atables;	/* the checker's tables */
	int			*colcap;	/* room in each table's columns */
	int			 captables, capschemas;
};

struct tap_catalog *
tap_catalog_new(void)
{
	struct tap_catalog	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->mem = calloc(1, sizeof(*c->mem))) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
tap_catalog_free(struct tap_catalog *c)
{
	struct tap_catalog_mem	*m;
	int			 i, k;

	if (c == NULL)
		return;
	m = c->mem;
	for (i = 0; i < c->adql.ntables; i++) {
		free((void *)m->atables[i].cols);
		free(c->tables[i].cols);
		for (k = 0; k < c->tables[i].nkeys; k++) {
			free(c->tables[i].keys[k].from);
			free(c->tables[i].keys[k].to);
		}
		free(c->tables[i].keys);
	}
	for (size_t s = 0; s < m->nstrs; s++)
		free(m->strs[s]);
	free(m->strs);
	free(m->atables);
	free(m->colcap);
	free(m);
	free(c->tables);
	free(c->schemas);
	free(c);
}

/* A copy of S that the catalogue owns; NULL for NULL or "" (no value). */
static int
keep(struct tap_catalog *c, const char *s, const char **out)
{
	struct tap_catalog_mem	*m = c->mem;
	char			**v;
	size_t			 cap;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	if (m->nstrs == m->capstrs) {
		cap = m->capstrs ? m->capstrs * 2 : 256;
		if ((v = realloc(m->strs, cap * sizeof(*v))) == NULL)
			return -1;
		m->strs = v;
		m->capstrs = cap;
	}
	if ((m->strs[m->nstrs] = strdup(s)) == NULL)
		return -1;
	*out = m->strs[m->nstrs++];
	return 0;
}

int
tap_ident(const char **s, char *adql, char *db, size_t size)
{
	const char	*p = *s;
	size_t		 n = 0;

	if (*p == '"') {
		/* Delimited: exactly what is between the quotes. */
		for (p++; *p != '\0'; p++) {
			if (*p == '"' && p[1] != '"')
				break;
			if (*p == '"')
				p++;
			if (n + 1 >= size)
				return -1;
			adql[n] = db[n] = *p;
			n++;
		}
		if (*p != '"' || n == 0)
			return -1;
		p++;
	} else {
		if (!isalpha((unsigned char)*p))
			return -1;
		for (; isalnum((unsigned char)*p) || *p == '_'; p++) {
			if (n + 1 >= size)
				return -1;
			adql[n] = *p;
			db[n] = (char)tolower((unsigned char)*p);
			n++;
		}
	}
	adql[n] = db[n] = '\0';
	*s = p;
	return 0;
}

/*
 * TABLE ("schema.table", or a name alone in schema SCHEMA) as the
 * checker's names and the database's.
 */
static int
table_names(struct tap_catalog *c, struct adql_table *t, const char *schema,
    const char *table)
{
	char		 a1[NAME_MAX_LEN], d1[NAME_MAX_LEN];
	char		 a2[NAME_MAX_LEN], d2[NAME_MAX_LEN];
	const char	*p = table;

	if (tap_ident(&p, a1, d1, sizeof(a1)) == -1)
		return 1;
	if (*p == '\0') {
		/* Not qualified: the schema of its row. */
		memcpy(a2, a1, sizeof(a2));
		memcpy(d2, d1, sizeof(d2));
		p = schema;
		if (tap_ident(&p, a1, d1, sizeof(a1)) == -1 || *p != '\0')
			return 1;
	} else if (*p++ != '.' || tap_ident(&p, a2, d2, sizeof(a2)) == -1 ||
	    *p != '\0')
		return 1;
	if (keep(c, a1, &t->schema) == -1 || keep(c, d1, &t->db_schema) == -1 ||
	    keep(c, a2, &t->name) == -1 || keep(c, d2, &t->db_name) == -1)
		return -1;
	return 0;
}

int
tap_catalog_add_schema(struct tap_catalog *c, const char *name,
    const char *utype, const char *description)
{
	struct tap_catalog_mem	*m = c->mem;
	struct tap_schema	*v, *s;
	int			 cap;

	if (c->nschemas == m->capschemas) {
		cap = m->capschemas ? m->capschemas * 2 : 8;
		if ((v = realloc(c->schemas, (size_t)cap * sizeof(*v))) == NULL)
			return -1;
		c->schemas = v;
		m->capschemas = cap;
	}
	s = &c->schemas[c->nschemas];
	memset(s, 0, sizeof(*s));
	if (keep(c, name, &s->name) == -1 || keep(c, utype, &s->utype) == -1 ||
	    keep(c, description, &s->description) == -1)
		return -1;
	if (s->name != NULL)
		c->nschemas++;
	return 0;
}

/* A new table for row R at the end of the catalogue; 1 if its name is bad. */
static int
add_table(struct tap_catalog *c, const struct tap_column_row *r)
{
	struct tap_catalog_mem	*m = c->mem;
	struct tap_table	*tt;
	struct adql_table	*at;
	int			*cc, cap, rc;

	if (c->adql.ntables == m->captables) {
		cap = m->captables ? m->captables * 2 : 16;
		if ((tt = realloc(c->tables, (size_t)cap * sizeof(*tt))) == NULL)
			return -1;
		c->tables = tt;
		if ((at = realloc(m->atables, (size_t)cap * sizeof(*at))) == NULL)
			return -1;
		m->atables = at;
		if ((cc = realloc(m->colcap, (size_t)cap * sizeof(*cc))) == NULL)
			return -1;
		m->colcap = cc;
		m->captables = cap;
	}
	tt = &c->tables[c->adql.ntables];
	at = &m->atables[c->adql.ntables];
	memset(tt, 0, sizeof(*tt));
	memset(at, 0, sizeof(*at));
	m->colcap[c->adql.ntables] = 0;
	if ((rc = table_names(c, at, r->schema, r->table)) != 0)
		return rc;
	if (keep(c, r->schema, &tt->schema) == -1 ||
	    keep(c, r->table, &tt->name) == -1 ||
	    keep(c, r->table_type != NULL ? r->table_type : "table",
	    &tt->type) == -1 || keep(c, r->table_utype, &tt->utype) == -1 ||
	    keep(c, r->table_description, &tt->description) == -1)
		return -1;
	c->adql.ntables++;
	return 0;
}

int
tap_catalog_add_column(struct tap_catalog *c, const struct tap_column_row *r,
    char *why, size_t whysize)
{
	struct tap_catalog_mem	*m = c->mem;
	struct tap_table	*tt;
	struct adql_table	*at;
	struct adql_column	*ac;
	struct tap_column	*tc;
	char			 aname[NAME_MAX_LEN], dname[NAME_MAX_LEN];
	const char		*p = r->column;
	int			 n, cap, rc;

	if (r->schema == NULL || r->table == NULL || r->column == NULL) {
		snprintf(why, whysize, "a column row without its names");
		return 1;
	}
	n = c->adql.ntables;
	if (n == 0 || strcmp(c->tables[n - 1].name, r->table) != 0) {
		if ((rc = add_table(c, r)) == 1)
			snprintf(why, whysize, "table %s: not an ADQL table "
			    "name", r->table);
		if (rc != 0)
			return rc;
		n++;
	}
	tt = &c->tables[n - 1];
	at = &m->atables[n - 1];
	if (tap_ident(&p, aname, dname, sizeof(aname)) == -1 || *p != '\0') {
		snprintf(why, whysize, "%s.%s: not an ADQL column name",
		    r->table, r->column);
		return 1;
	}
	if (at->ncols == m->colcap[n - 1]) {
		cap = at->ncols ? at->ncols * 2 : 16;
		if ((ac = realloc((void *)at->cols, (size_t)cap *
		    sizeof(*ac))) == NULL)
			return -1;
		at->cols = ac;
		if ((tc = realloc(tt->cols, (size_t)cap * sizeof(*tc))) == NULL)
			return -1;
		tt->cols = tc;
		m->colcap[n - 1] = cap;
	}
	ac = (struct adql_column *)at->cols + at->ncols;
	tc = tt->cols + at->ncols;
	memset(ac, 0, sizeof(*ac));
	memset(tc, 0, sizeof(*tc));
	/* The checker's name is the database's: regular names fold. */
	if (keep(c, dname, &ac->name) == -1 ||
	    keep(c, r->datatype, &ac->datatype) == -1 ||
	    keep(c, r->arraysize, &ac->arraysize) == -1 ||
	    keep(c, r->xtype, &ac->xtype) == -1 ||
	    keep(c, r->unit, &ac->unit) == -1 ||
	    keep(c, r->ucd, &ac->ucd) == -1 ||
	    keep(c, r->utype, &ac->utype) == -1 ||
	    keep(c, r->column, &tc->name) == -1 ||
	    keep(c, r->description, &tc->description) == -1)
		return -1;
	if (ac->datatype == NULL) {
		snprintf(why, whysize, "%s.%s: no datatype", r->table,
		    r->column);
		return 1;
	}
	tc->size = r->size;
	tc->indexed = r->indexed;
	tc->principal = r->principal;
	tc->std = r->std;
	at->ncols++;
	return 0;
}

static struct tap_table *
find_table(struct tap_catalog *c, const char *name)
{
	for (int i = 0; i < c->adql.ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0)
			return &c->tables[i];
	return NULL;
}

int
tap_catalog_add_key(struct tap_catalog *c, const char *id,
    const char *from_table, const char *target_table,
    const char *description, const char *utype, const char *from_column,
    const char *target_column)
{
	struct tap_table	*t;
	struct tap_key		*k, *v;
	const char		**f, **to;

	if (id == NULL || from_table == NULL || target_table == NULL ||
	    from_column == NULL || target_column == NULL ||
	    (t = find_table(c, from_table)) == NULL ||
	    find_table(c, target_table) == NULL)
		return 1;
	k = t->nkeys > 0 ? &t->keys[t->nkeys - 1] : NULL;
	if (k == NULL || strcmp(k->id, id) != 0) {
		if ((v = realloc(t->keys, (size_t)(t->nkeys + 1) *
		    sizeof(*v))) == NULL)
			return -1;
		t->keys = v;
		k = &t->keys[t->nkeys++];
		memset(k, 0, sizeof(*k));
		if (keep(c, id, &k->id) == -1 ||
		    keep(c, target_table, &k->target) == -1 ||
		    keep(c, description, &k->description) == -1 ||
		    keep(c, utype, &k->utype) == -1)
			return -1;
	}
	if ((f = realloc(k->from, (size_t)(k->ncols + 1) * sizeof(*f))) == NULL)
		return -1;
	k->from = f;
	if ((to = realloc(k->to, (size_t)(k->ncols + 1) * sizeof(*to))) == NULL)
		return -1;
	k->to = to;
	if (keep(c, from_column, &k->from[k->ncols]) == -1 ||
	    keep(c, target_column, &k->to[k->ncols]) == -1)
		return -1;
	k->ncols++;
	return 0;
}

int
tap_catalog_finish(struct tap_catalog *c)
{
	c->adql.tables = c->mem->atables;
	for (int i = 0; i < c->adql.ntables; i++)
		c->tables[i].adql = &c->mem->atables[i];
	return 0;
}

const struct tap_table *
tap_catalog_table(const struct tap_catalog *c, const char *name)
{
	int	 i;

	for (i = 0; i < c->adql.ntables; i++)
		if (strcmp(c->tables[i].name, name) == 0)
			return &c->tables[i];
	for (i = 0; i < c->adql.ntables; i++)
		if (strcasecmp(c->tables[i].name, name) == 0)
			return &c->tables[i];
	return NULL;
}

/* --- From the database ---------------------------------------------------- */

static const struct {
	const char	*name, *sql;
} statements[] = {
	{ "tap_schemas", "SELECT schema_name, utype, description "
	    "FROM tap_schema.schemas "
	    "ORDER BY schema_index NULLS LAST, schema_name" },
	{ "tap_columns", "SELECT t.schema_name, t.table_name, t.table_type, "
	    "t.utype, t.description, c.column_name, c.datatype, c.arraysize, "
	    "c.xtype, c.unit, c.ucd, c.utype, c.description, c.\"size\", "
	    "c.indexed, c.principal, c.std "
	    "FROM tap_schema.tables AS t JOIN tap_schema.columns AS c "
	    "ON c.table_name = t.table_name "
	    "ORDER BY t.table_index NULLS LAST, t.table_name, "
	    "c.column_index NULLS LAST, c.column_name" },
	{ "tap_keys", "SELECT k.key_id, k.from_table, k.target_table, "
	    "k.description, k.utype, c.from_column, c.target_column "
	    "FROM tap_schema.keys AS k JOIN tap_schema.key_columns AS c "
	    "ON c.key_id = k.key_id ORDER BY k.key_id, c.from_column" },
};

int
tap_catalog_prepare(struct db *db)
{
	for (size_t i = 0; i < sizeof(statements) / sizeof(statements[0]);
	    i++)
		if (db_add_statement(db, statements[i].name,
		    statements[i].sql, 0) == -1)
			return -1;
	return 0;
}

/* Column K of ROW, NULL when null. */
static const char *
val(const PGresult *row, int k)
{
	return PQgetisnull(row, 0, k) ? NULL : PQgetvalue(row, 0, k);
}

static int
flag(const PGresult *row, int k)
{
	const char	*v = val(row, k);

	return v != NULL && atoi(v) != 0;
}

/* One row of statement STMT into C; -1 when memory runs out. */
static int
add_row(struct tap_catalog *c, int stmt, const PGresult *row)
{
	struct tap_column_row	 r;
	char			 why[256];
	int			 rc;

	switch (stmt) {
	case 0:
		return tap_catalog_add_schema(c, val(row, 0), val(row, 1),
		    val(row, 2));
	case 1:
		r.schema = val(row, 0);
		r.table = val(row, 1);
		r.table_type = val(row, 2);
		r.table_utype = val(row, 3);
		r.table_description = val(row, 4);
		r.column = val(row, 5);
		r.datatype = val(row, 6);
		r.arraysize = val(row, 7);
		r.xtype = val(row, 8);
		r.unit = val(row, 9);
		r.ucd = val(row, 10);
		r.utype = val(row, 11);
		r.description = val(row, 12);
		r.size = val(row, 13) != NULL ? atol(val(row, 13)) : -1;
		r.indexed = flag(row, 14);
		r.principal = flag(row, 15);
		r.std = flag(row, 16);
		if ((rc = tap_catalog_add_column(c, &r, why,
		    sizeof(why))) == 1)
			log_warn("TAP_SCHEMA: %s; not published", why);
		return rc == -1 ? -1 : 0;
	default:
		rc = tap_catalog_add_key(c, val(row, 0), val(row, 1),
		    val(row, 2), val(row, 3), val(row, 4), val(row, 5),
		    val(row, 6));
		return rc == -1 ? -1 : 0;
	}
}

int
tap_catalog_load(struct db *db, struct tap_catalog **out)
{
	struct tap_catalog	*c;
	const PGresult		*row;
	enum db_status		 st = DB_OK;
	int			 i, nomem = 0;

	*out = NULL;
	if ((c = tap_catalog_new()) == NULL)
		return DB_ERROR;
	for (i = 0; i < 3; i++) {
		if ((st = db_start(db, statements[i].name, 0, NULL)) != DB_OK)
			break;
		while ((row = db_next(db, &st)) != NULL)
			if (!nomem && add_row(c, i, row) == -1)
				nomem = 1;
		db_end(db);
		if (st != DB_OK)
			break;
	}
	if (st == DB_OK && (nomem || tap_catalog_finish(c) == -1)) {
		log_error("TAP_SCHEMA: out of memory reading it");
		st = DB_ERROR;
	}
	if (st != DB_OK) {
		log_error("TAP_SCHEMA cannot be read: %s", db_last_error(db));
		tap_catalog_free(c);
		return st;
	}
	*out = c;
	return DB_OK;
}
