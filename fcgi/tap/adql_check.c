#include <stdio.h>
#include <string.h>

#include "adql_check_int.h"

/* A column reference to R's column I, made for a * (MERGED: unqualified). */
static struct adql_node *
star_column(struct check *c, const struct adql_node *at, struct adql_rel *r,
    int i, int merged)
{
	struct adql_node	*col, *item;

	if ((col = adql_node(c->tree, ADQL_COL, at->line, at->col, NULL,
	    NULL, NULL, NULL)) == NULL ||
	    (item = adql_node(c->tree, ADQL_ITEM, at->line, at->col, col,
	    NULL, NULL, NULL)) == NULL)
		return NULL;
	col->rel = r;
	col->colno = i;
	col->field = &r->fields[i];
	col->type = col->field->type;
	col->op = merged;
	return item;
}

/* t.* : the columns of one FROM item of this scope. */
static int
star_qualified(struct check *c, struct scope *s, struct adql_node *star,
    struct adql_node **list)
{
	struct adql_rel		*r;
	struct adql_node	*item;
	char			 buf[256];
	const struct adql_node	*id;
	int			 i, nq = list_count(star->k[0]);

	for (id = star->k[0]; id != NULL; id = id->next)
		if (check_ident(c, id) == -1)
			return -1;
	for (r = s->rels; r != NULL; r = r->next)
		if (rel_named(r, star->k[0], nq))
			break;
	if (r == NULL || nq > 2)
		return check_fail(c, star, "%s is not a table in FROM",
		    dotted(star->k[0], nq, buf, sizeof(buf)));
	for (i = 0; i < r->nfields; i++) {
		if ((item = star_column(c, star, r, i, 0)) == NULL)
			return check_nomem(c, star);
		*list = adql_append(*list, item);
	}
	return 0;
}

/* * : every column of the scope, a merged one once, unqualified. */
static int
star_all(struct check *c, struct scope *s, struct adql_node *star,
    struct adql_node **list)
{
	struct adql_rel		*r;
	struct adql_node	*item;
	char			*seen;
	int			 i, g;

	if ((seen = adql_alloc(c->tree, c->ngroups + 1)) == NULL)
		return check_nomem(c, star);
	for (r = s->rels; r != NULL; r = r->next)
		for (i = 0; i < r->nfields; i++) {
			if ((g = r->merge[i]) != 0 && seen[g])
				continue;
			if (g != 0)
				seen[g] = 1;
			if ((item = star_column(c, star, r, i, g != 0)) == NULL)
				return check_nomem(c, star);
			*list = adql_append(*list, item);
		}
	return 0;
}

static const char *
item_name(struct check *c, const struct adql_node *item)
{
	const struct adql_node	*e = item->k[0];
	char			*s;
	size_t			 i;

	if (item->k[1] != NULL)
		return item->k[1]->text;
	if (e->kind == ADQL_COL)
		return e->field->name;
	if (e->kind != ADQL_FUNC)
		return "expr";
	if ((s = adql_strndup(c->tree, e->text, strlen(e->text))) == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
	return s;
}

/* The select list, stars expanded, and its output columns. */
static int
check_items(struct check *c, struct scope *s, struct adql_node *sel,
    struct adql_node *q)
{
	struct adql_node	*it, *next, *list = NULL;
	struct adql_field	*f;
	const char		*name;
	int			 i, rc;

	for (it = sel->k[0]; it != NULL; it = next) {
		next = it->next;
		it->next = NULL;
		if (it->kind == ADQL_STAR)
			rc = it->k[0] != NULL ?
			    star_qualified(c, s, it, &list) :
			    star_all(c, s, it, &list);
		else if ((rc = check_value(c, s, it->k[0])) == 0 &&
		    (it->k[1] == NULL || (rc = check_ident(c, it->k[1])) == 0))
			list = adql_append(list, it);
		if (rc == -1)
			return -1;
	}
	sel->k[0] = list;
	q->nfields = list_count(list);
	if ((q->fields = adql_alloc(c->tree, sizeof(*f) * (q->nfields + 1)))
	    == NULL)
		return check_nomem(c, sel);
	for (i = 0, it = list; it != NULL; it = it->next, i++) {
		if ((name = item_name(c, it)) == NULL)
			return check_nomem(c, it);
		if (it->k[0]->field != NULL)
			q->fields[i] = *it->k[0]->field;
		else if ((f = field_for(c, it->k[0], name)) != NULL)
			q->fields[i] = *f;
		else
			return check_nomem(c, it);
		q->fields[i].name = name;
		it->text = name;
	}
	return 0;
}

/* Output column POS (from 1) as a number node: what GROUP and ORDER BY use. */
static int
to_position(struct check *c, struct adql_node *n, int pos)
{
	char	 buf[16];

	snprintf(buf, sizeof(buf), "%d", pos);
	n->kind = ADQL_NUM;
	n->op = ADQL_INT;
	n->num = pos;
	n->type = ADQL_T_INT;
	n->k[0] = NULL;
	if ((n->text = adql_strndup(c->tree, buf, strlen(buf))) == NULL)
		return check_nomem(c, n);
	return 0;
}

/*
 * An ORDER or GROUP BY term that is a position, or a bare name an output
 * column answers to: 1 when it was (and is now a position), 0 when it is
 * something else, -1 on error.
 */
static int
output_term(struct check *c, const struct adql_node *q, struct adql_node *e)
{
	int	 i, pos = 0;

	if (e->kind == ADQL_NUM && e->op == ADQL_INT) {
		if (e->num < 1 || e->num > q->nfields)
			return check_fail(c, e, "there is no output column "
			    "%s", e->text);
		return 1;
	}
	if (e->kind != ADQL_COL || e->k[0] == NULL || e->k[0]->next != NULL)
		return 0;
	for (i = 0; i < q->nfields; i++)
		if (ident_is(e->k[0], q->fields[i].name)) {
			if (pos != 0)
				return check_fail(c, e, "%s names more than "
				    "one output column", e->k[0]->text);
			pos = i + 1;
		}
	if (pos == 0)
		return 0;
	if (check_ident(c, e->k[0]) == -1)
		return -1;
	return to_position(c, e, pos) == -1 ? -1 : 1;
}

/* Whether a bare name is a column of this scope's FROM items. */
static int
input_column(const struct scope *s, const struct adql_node *e)
{
	struct cand	 cands[MAX_CANDS];

	return e->kind == ADQL_COL && e->k[0] != NULL &&
	    e->k[0]->next == NULL && scope_find(s, NULL, 0, e->k[0], cands) > 0;
}

/* GROUP BY: a FROM column first (as PostgreSQL reads it), else output. */
static int
check_group(struct check *c, struct scope *s, const struct adql_node *q,
    struct adql_node *list)
{
	int	 rc;

	for (; list != NULL; list = list->next) {
		rc = input_column(s, list) ? 0 : output_term(c, q, list);
		if (rc == -1 || (rc == 0 && check_value(c, s, list) == -1))
			return -1;
	}
	return 0;
}

/*
 * ORDER BY: an output column of Q first (SQL's rule), else a value in
 * scope S (none after a set operation).
 */
static int
check_order(struct check *c, struct scope *s, const struct adql_node *q,
    struct adql_node *order)
{
	struct adql_node	*o;
	int			 rc;

	for (o = order; o != NULL; o = o->next) {
		if ((rc = output_term(c, q, o->k[0])) == -1)
			return -1;
		if (rc == 1)
			continue;
		if (s == NULL)
			return check_fail(c, o, "ORDER BY after a set "
			    "operation names an output column or gives its "
			    "position");
		if (check_value(c, s, o->k[0]) == -1)
			return -1;
	}
	return 0;
}

/* A SELECT whose output columns go to Q, ORDER BY terms and all. */
static int
check_select(struct check *c, struct scope *up, struct adql_node *sel,
    struct adql_node *q, struct adql_node *order)
{
	struct scope		 s = { up, NULL, NULL, NULL };
	struct adql_node	*f;

	for (f = sel->k[1]; f != NULL; f = f->next)
		if (add_from(c, &s, f) == -1)
			return -1;
	if (check_items(c, &s, sel, q) == -1)
		return -1;
	s.no_agg = "WHERE";
	if (sel->k[2] != NULL && check_cond(c, &s, sel->k[2]) == -1)
		return -1;
	s.no_agg = "GROUP BY";
	if (check_group(c, &s, q, sel->k[3]) == -1)
		return -1;
	s.no_agg = NULL;
	if (sel->k[4] != NULL && check_cond(c, &s, sel->k[4]) == -1)
		return -1;
	return check_order(c, &s, q, order);
}

/* One side of a set operation: its output columns in N. */
static int
check_operand(struct check *c, struct scope *up, struct adql_node *n,
    struct adql_node *holder)
{
	if (n->kind == ADQL_QUERY) {
		if (check_query(c, up, n) == -1)
			return -1;
		holder->fields = n->fields;
		holder->nfields = n->nfields;
		return 0;
	}
	if (n->kind == ADQL_SELECT)
		return check_select(c, up, n, holder, NULL);
	if (check_operand(c, up, n->k[0], holder) == -1 ||
	    check_operand(c, up, n->k[1], n) == -1)
		return -1;
	if (n->nfields != holder->nfields)
		return check_fail(c, n, "the two sides of a set operation "
		    "have %d and %d columns", holder->nfields, n->nfields);
	return 0;
}

int
check_query(struct check *c, struct scope *up, struct adql_node *q)
{
	struct adql_node	 holder;
	struct adql_node	*body = q->k[0];

	if (body->kind == ADQL_SELECT)
		return check_select(c, up, body, q, q->k[1]);
	memset(&holder, 0, sizeof(holder));
	if (check_operand(c, up, body, &holder) == -1)
		return -1;
	q->fields = holder.fields;
	q->nfields = holder.nfields;
	return check_order(c, NULL, q, q->k[1]);
}

int
adql_check(struct adql_tree *t, const struct adql_catalog *cat, char *err,
    size_t errsize)
{
	struct check	 c;

	memset(&c, 0, sizeof(c));
	c.tree = t;
	c.cat = cat;
	c.err = err;
	c.errsize = errsize;
	return check_query(&c, NULL, t->root);
}

const struct adql_field *
adql_fields(const struct adql_tree *t, int *nfields)
{
	*nfields = t->root->nfields;
	return t->root->fields;
}
