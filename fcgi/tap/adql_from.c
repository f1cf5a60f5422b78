#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "adql_check_int.h"

/* FROM items in one query, subqueries included: far beyond real use. */
#define MAX_RELS	64

int
check_fail(struct check *c, const struct adql_node *n, const char *fmt, ...)
{
	va_list	 ap;
	int	 k;

	if (c->failed)
		return -1;
	c->failed = 1;
	k = snprintf(c->err, c->errsize, "line %d, column %d: ", n->line,
	    n->col);
	if (k >= 0 && (size_t)k < c->errsize) {
		va_start(ap, fmt);
		vsnprintf(c->err + k, c->errsize - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
check_nomem(struct check *c, const struct adql_node *n)
{
	return check_fail(c, n, "the query is too large");
}

/* Whether identifier ID names NAME: a regular one in any case. */
int
ident_is(const struct adql_node *id, const char *name)
{
	if (id->flags & ADQL_DELIM)
		return strcmp(id->text, name) == 0;
	return strcasecmp(id->text, name) == 0;
}

int
check_ident(struct check *c, const struct adql_node *id)
{
	if (id->flags & ADQL_RESERVED)
		return check_fail(c, id, "%s is a reserved word; as a name it "
		    "must be written in double quotes, \"%s\"", id->text,
		    id->text);
	return 0;
}

int
list_count(const struct adql_node *n)
{
	int	 i;

	for (i = 0; n != NULL; n = n->next)
		i++;
	return i;
}

/* The first N of NAMES as the query wrote them (A.B.C), for messages. */
const char *
dotted(const struct adql_node *names, int n, char *buf, size_t size)
{
	size_t	 len = 0;

	buf[0] = '\0';
	for (; names != NULL && n-- > 0 && len < size; names = names->next)
		len += snprintf(buf + len, size - len, "%s%s",
		    len > 0 ? "." : "", names->text);
	return buf;
}

/* How a FROM item is named in messages: its alias or schema.table. */
static void
rel_label(const struct adql_rel *r, char *buf, size_t size)
{
	if (r->alias != NULL)
		snprintf(buf, size, "%s", r->alias->text);
	else
		snprintf(buf, size, "%s.%s", r->table->schema, r->table->name);
}

static const struct adql_table *
find_table(struct check *c, const struct adql_node *names)
{
	const struct adql_node	*schema = NULL, *name = names;
	const struct adql_table	*t, *found = NULL;
	char			 buf[256];
	int			 i;

	if (list_count(names) > 2) {
		check_fail(c, names, "%s: a table is named as schema.table",
		    dotted(names, 3, buf, sizeof(buf)));
		return NULL;
	}
	if (names->next != NULL) {
		schema = names;
		name = names->next;
	}
	if ((schema != NULL && check_ident(c, schema) == -1) ||
	    check_ident(c, name) == -1)
		return NULL;
	for (i = 0; i < c->cat->ntables; i++) {
		t = &c->cat->tables[i];
		if (!ident_is(name, t->name) ||
		    (schema != NULL && !ident_is(schema, t->schema)))
			continue;
		if (found != NULL) {
			check_fail(c, names, "table %s is ambiguous: %s.%s or "
			    "%s.%s", name->text, found->schema, found->name,
			    t->schema, t->name);
			return NULL;
		}
		found = t;
	}
	if (found == NULL)
		check_fail(c, names, "no table %s is published here",
		    dotted(names, 2, buf, sizeof(buf)));
	return found;
}

static struct adql_field *
table_fields(struct check *c, const struct adql_table *t)
{
	struct adql_field		*f;
	const struct adql_column	*col;
	int				 i;

	if ((f = adql_alloc(c->tree, sizeof(*f) * (t->ncols + 1))) == NULL)
		return NULL;
	for (i = 0; i < t->ncols; i++) {
		col = &t->cols[i];
		f[i].name = col->name;
		f[i].datatype = col->datatype;
		f[i].arraysize = col->arraysize;
		f[i].xtype = col->xtype;
		f[i].unit = col->unit;
		f[i].ucd = col->ucd;
		f[i].utype = col->utype;
		f[i].type = column_type(col);
	}
	return f;
}

/* Whether R answers to the qualifier QUAL (NQ names: table or schema.table). */
int
rel_named(const struct adql_rel *r, const struct adql_node *qual, int nq)
{
	if (r->alias != NULL)
		return nq == 1 && ident_is(qual, r->alias->text);
	if (nq == 1)
		return ident_is(qual, r->table->name);
	return nq == 2 && ident_is(qual, r->table->schema) &&
	    ident_is(qual->next, r->table->name);
}

/* Two FROM items of one scope may not answer to the same name. */
static int
check_unique(struct check *c, const struct scope *s, const struct adql_rel *r,
    const struct adql_node *at)
{
	const struct adql_rel	*o;
	char			 a[256], b[256];

	rel_label(r, a, sizeof(a));
	for (o = s->rels; o != NULL; o = o->next) {
		rel_label(o, b, sizeof(b));
		if (o != r && strcasecmp(a, b) == 0)
			return check_fail(c, at, "FROM names %s twice; give "
			    "one of them another alias", a);
	}
	return 0;
}

static struct adql_rel *
new_rel(struct check *c, struct scope *s, const struct adql_node *at)
{
	struct adql_rel	*r;

	if (c->nrels >= MAX_RELS) {
		check_fail(c, at, "a query may name at most %d tables",
		    MAX_RELS);
		return NULL;
	}
	if ((r = adql_alloc(c->tree, sizeof(*r))) == NULL) {
		check_nomem(c, at);
		return NULL;
	}
	r->id = ++c->nrels;
	if (s->last != NULL)
		s->last->next = r;
	else
		s->rels = r;
	s->last = r;
	return r;
}

static int
add_table(struct check *c, struct scope *s, struct adql_node *f)
{
	const struct adql_table	*t;
	struct adql_rel		*r;

	if ((t = find_table(c, f->k[0])) == NULL)
		return -1;
	if (f->k[1] != NULL && check_ident(c, f->k[1]) == -1)
		return -1;
	if ((r = new_rel(c, s, f)) == NULL)
		return -1;
	r->table = t;
	r->alias = f->k[1];
	r->nfields = t->ncols;
	if ((r->fields = table_fields(c, t)) == NULL ||
	    (r->merge = adql_alloc(c->tree, sizeof(int) * (t->ncols + 1)))
	    == NULL)
		return check_nomem(c, f);
	f->rel = r;
	return check_unique(c, s, r, f);
}

/* A subquery in FROM sees the scopes around the query, not its siblings. */
static int
add_derived(struct check *c, struct scope *s, struct adql_node *f)
{
	struct adql_rel	*r;

	if (check_ident(c, f->k[1]) == -1 ||
	    check_query(c, s->up, f->k[0]) == -1)
		return -1;
	if ((r = new_rel(c, s, f)) == NULL)
		return -1;
	r->query = f->k[0];
	r->alias = f->k[1];
	r->fields = f->k[0]->fields;
	r->nfields = f->k[0]->nfields;
	if ((r->merge = adql_alloc(c->tree, sizeof(int) * (r->nfields + 1)))
	    == NULL)
		return check_nomem(c, f);
	f->rel = r;
	return check_unique(c, s, r, f);
}

/*
 * The columns called NAME among the FROM items FIRST..LAST, counting the
 * columns a USING or NATURAL join merged as one; ONE gets one of them.
 */
static int
side_find(struct adql_rel *first, struct adql_rel *last,
    const struct adql_node *id, const char *name, struct cand *one)
{
	struct adql_rel	*r;
	int		 i, n = 0, group = 0;

	for (r = first; r != NULL; r = r == last ? NULL : r->next)
		for (i = 0; i < r->nfields; i++) {
			if (id != NULL ? !ident_is(id, r->fields[i].name) :
			    strcmp(name, r->fields[i].name) != 0)
				continue;
			if (r->merge[i] != 0 && r->merge[i] == group)
				continue;
			group = r->merge[i];
			one->rel = r;
			one->col = i;
			n++;
		}
	return n;
}

static void
merge(struct check *c, struct adql_rel *first, struct adql_rel *last,
    const struct cand *a, const struct cand *b)
{
	struct adql_rel	*r;
	int		 i, ga, gb, g = ++c->ngroups;

	ga = a->rel->merge[a->col];
	gb = b->rel->merge[b->col];
	for (r = first; r != NULL; r = r == last ? NULL : r->next)
		for (i = 0; i < r->nfields; i++)
			if ((ga != 0 && r->merge[i] == ga) ||
			    (gb != 0 && r->merge[i] == gb))
				r->merge[i] = g;
	a->rel->merge[a->col] = g;
	b->rel->merge[b->col] = g;
}

/* JOIN ... USING (a, b): each name one column on each side. */
static int
join_using(struct check *c, struct adql_node *j, struct adql_rel *l0,
    struct adql_rel *l1, struct adql_rel *r0, struct adql_rel *r1)
{
	struct adql_node	*id;
	struct cand		 a, b;

	for (id = j->k[3]; id != NULL; id = id->next) {
		if (check_ident(c, id) == -1)
			return -1;
		if (side_find(l0, l1, id, NULL, &a) != 1 ||
		    side_find(r0, r1, id, NULL, &b) != 1)
			return check_fail(c, id, "USING: %s must be one column "
			    "on each side of the join", id->text);
		if (strcmp(a.rel->fields[a.col].name,
		    b.rel->fields[b.col].name) != 0)
			return check_fail(c, id, "USING: %s is spelt "
			    "differently on the two sides", id->text);
		merge(c, l0, r1, &a, &b);
		/* What the emitter writes is the catalogue's name. */
		id->text = a.rel->fields[a.col].name;
		id->flags = ADQL_DELIM;
	}
	return 0;
}

/* NATURAL JOIN: every name the two sides share, spelt the same. */
static int
join_natural(struct check *c, struct adql_node *j, struct adql_rel *l0,
    struct adql_rel *l1, struct adql_rel *r0, struct adql_rel *r1)
{
	struct adql_rel	*r;
	struct cand	 a, b;
	int		 i, nl, nr;

	for (r = l0; r != NULL; r = r == l1 ? NULL : r->next)
		for (i = 0; i < r->nfields; i++) {
			nr = side_find(r0, r1, NULL, r->fields[i].name, &b);
			if (nr == 0)
				continue;
			nl = side_find(l0, l1, NULL, r->fields[i].name, &a);
			if (nl != 1 || nr != 1)
				return check_fail(c, j, "NATURAL JOIN: %s is "
				    "more than one column on a side",
				    r->fields[i].name);
			if (a.rel->merge[a.col] == 0 ||
			    a.rel->merge[a.col] != b.rel->merge[b.col])
				merge(c, l0, r1, &a, &b);
		}
	return 0;
}

static int
add_join(struct check *c, struct scope *s, struct adql_node *j)
{
	struct adql_rel	*before = s->last, *l0, *l1, *r0;
	const char	*saved = s->no_agg;
	int		 rc;

	if (add_from(c, s, j->k[0]) == -1)
		return -1;
	l0 = before != NULL ? before->next : s->rels;
	l1 = s->last;
	if (add_from(c, s, j->k[1]) == -1)
		return -1;
	r0 = l1->next;
	if (j->k[2] != NULL) {
		s->no_agg = "ON";
		rc = check_cond(c, s, j->k[2]);
		s->no_agg = saved;
		return rc;
	}
	if (j->k[3] != NULL)
		return join_using(c, j, l0, l1, r0, s->last);
	if (j->flags & ADQL_NATURAL)
		return join_natural(c, j, l0, l1, r0, s->last);
	return 0;
}

int
add_from(struct check *c, struct scope *s, struct adql_node *f)
{
	switch (f->kind) {
	case ADQL_TABLE:
		return add_table(c, s, f);
	case ADQL_DERIVED:
		return add_derived(c, s, f);
	default:
		return add_join(c, s, f);
	}
}

static int
ambiguous(struct check *c, struct adql_node *col, const char *name,
    const struct cand *cands, int n)
{
	char	 list[512], label[256];
	size_t	 len = 0;
	int	 i;

	list[0] = '\0';
	for (i = 0; i < n && i < MAX_CANDS && len < sizeof(list); i++) {
		rel_label(cands[i].rel, label, sizeof(label));
		len += snprintf(list + len, sizeof(list) - len, "%s%s.%s",
		    i == 0 ? "" : i == n - 1 ? " or " : ", ", label,
		    cands[i].rel->fields[cands[i].col].name);
	}
	return check_fail(c, col, "column %s is ambiguous: %s%s", name, list,
	    n > MAX_CANDS ? ", ..." : "");
}

/* Candidates in one scope; -1 when a qualifier matched no FROM item. */
int
scope_find(const struct scope *s, const struct adql_node *qual, int nq,
    const struct adql_node *name, struct cand *cands)
{
	struct adql_rel	*r;
	int		 i, n = 0, named = 0;

	for (r = s->rels; r != NULL; r = r->next) {
		if (qual != NULL && !rel_named(r, qual, nq))
			continue;
		named = 1;
		for (i = 0; i < r->nfields; i++)
			if (ident_is(name, r->fields[i].name)) {
				if (n < MAX_CANDS) {
					cands[n].rel = r;
					cands[n].col = i;
				}
				n++;
			}
	}
	return n == 0 && !named ? -1 : n;
}

/* All candidates one column merged by USING or NATURAL. */
static int
one_group(const struct cand *cands, int n)
{
	int	 i, g = cands[0].rel->merge[cands[0].col];

	if (g == 0 || n > MAX_CANDS)
		return 0;
	for (i = 1; i < n; i++)
		if (cands[i].rel->merge[cands[i].col] != g)
			return 0;
	return 1;
}

int
resolve_column(struct check *c, struct scope *s, struct adql_node *col)
{
	struct adql_node	*names = col->k[0], *name, *qual;
	struct cand		 cands[MAX_CANDS];
	char			 buf[256];
	int			 nq = list_count(names) - 1, n, named = 0;

	if (nq > 2)
		return check_fail(c, col, "%s: a column is named as "
		    "[schema.]table.column",
		    dotted(names, 4, buf, sizeof(buf)));
	for (name = names; name->next != NULL; name = name->next)
		if (check_ident(c, name) == -1)
			return -1;
	if (check_ident(c, name) == -1)
		return -1;
	qual = nq > 0 ? names : NULL;
	for (; s != NULL; s = s->up) {
		if ((n = scope_find(s, qual, nq, name, cands)) == -1)
			continue;
		named = 1;
		if (n == 0)
			continue;
		if (n > 1 && !one_group(cands, n))
			return ambiguous(c, col, name->text, cands, n);
		col->rel = cands[0].rel;
		col->colno = cands[0].col;
		col->field = &col->rel->fields[col->colno];
		col->type = col->field->type;
		col->op = n > 1;	/* merged: written unqualified */
		return 0;
	}
	if (qual != NULL && !named)
		return check_fail(c, col, "%s is not a table in FROM",
		    dotted(qual, nq, buf, sizeof(buf)));
	return check_fail(c, col, "no column %s in %s", name->text,
	    qual != NULL ? "that table" : "the tables in FROM");
}
