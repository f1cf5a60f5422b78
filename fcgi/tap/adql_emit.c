#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "adql_check.h"
#include "adql_emit.h"
#include "adql_emit_int.h"
#include "adql_func.h"

static void	emit_query(struct emit *, const struct adql_node *, long long,
		    int);
static void	emit_cond(struct emit *, const struct adql_node *);

void
put(struct emit *e, const char *s)
{
	if (strbuf_puts(e->out, s) == -1)
		e->rc = -1;
}

void
putf(struct emit *e, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[64];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		e->rc = -1;
	else
		put(e, buf);
}

int
adql_emit_ident(struct strbuf *out, const char *s)
{
	size_t	 n;
	int	 rc = strbuf_puts(out, "\"");

	while (rc == 0 && *s != '\0') {
		n = strcspn(s, "\"");
		rc = strbuf_add(out, s, n);
		s += n;
		if (rc == 0 && *s == '"') {
			rc = strbuf_puts(out, "\"\"");
			s++;
		}
	}
	return rc == 0 ? strbuf_puts(out, "\"") : -1;
}

static void
ident(struct emit *e, const char *s)
{
	if (adql_emit_ident(e->out, s) == -1)
		e->rc = -1;
}

/*
 * 'text', a quote inside doubled.  A backslash makes it E'...' with the
 * backslash doubled, which reads the same whatever standard_conforming_
 * strings is set to.
 */
static void
literal(struct emit *e, const char *s)
{
	int	 esc = strchr(s, '\\') != NULL;
	size_t	 n;

	put(e, esc ? "E'" : "'");
	while (*s != '\0') {
		n = strcspn(s, "'\\");
		if (strbuf_add(e->out, s, n) == -1)
			e->rc = -1;
		s += n;
		if (*s == '\'')
			put(e, "''");
		else if (*s == '\\')
			put(e, "\\\\");
		if (*s != '\0')
			s++;
	}
	put(e, "'");
}

void
emit_list(struct emit *e, const struct adql_node *n)
{
	for (; n != NULL; n = n->next) {
		emit_value(e, n);
		if (n->next != NULL)
			put(e, ", ");
	}
}

static void
emit_column(struct emit *e, const struct adql_node *n)
{
	if (!n->op)
		putf(e, "\"t%d\".", n->rel->id);
	ident(e, n->field->name);
}

/* PostgreSQL has mod(), round(x, n) and trunc(x, n) for numeric only. */
static void
as_numeric(struct emit *e, const struct adql_node *n)
{
	if (n->type == ADQL_T_INT) {
		emit_value(e, n);
		return;
	}
	put(e, "CAST(");
	emit_value(e, n);
	put(e, " AS numeric)");
}

static void
emit_func(struct emit *e, const struct adql_node *n)
{
	const struct adql_func	*f = &adql_funcs[n->fn];
	const struct adql_node	*a = n->k[0];

	if (f->sql == NULL) {
		emit_geom(e, n);
		return;
	}
	putf(e, "%s(", f->sql);
	if (n->flags & ADQL_STARARG)
		put(e, "*");
	else if (n->flags & ADQL_DISTINCT)
		put(e, "DISTINCT ");
	if (n->fn == F_MOD || (a != NULL && a->next != NULL &&
	    (n->fn == F_ROUND || n->fn == F_TRUNCATE))) {
		as_numeric(e, a);
		put(e, ", ");
		if (n->fn == F_MOD)
			as_numeric(e, a->next);
		else
			emit_value(e, a->next);
	} else
		emit_list(e, a);
	put(e, ")");
}

static const char *
binop(int op)
{
	switch (op) {
	case '+':
		return " + ";
	case '-':
		return " - ";
	case '*':
		return " * ";
	case '/':
		return " / ";
	default:
		return " || ";
	}
}

void
emit_value(struct emit *e, const struct adql_node *n)
{
	switch (n->kind) {
	case ADQL_NUM:
		put(e, n->text);
		break;
	case ADQL_STR:
		literal(e, n->text);
		break;
	case ADQL_NULL:
		put(e, "NULL");
		break;
	case ADQL_COL:
		emit_column(e, n);
		break;
	case ADQL_FUNC:
		emit_func(e, n);
		break;
	case ADQL_CAST:
		put(e, "CAST(");
		emit_value(e, n->k[0]);
		putf(e, " AS %s", n->text);
		if (n->num != -1)
			putf(e, "(%lld)", n->num);
		put(e, ")");
		break;
	case ADQL_NEG_:
		put(e, "(-");
		emit_value(e, n->k[0]);
		put(e, ")");
		break;
	default:
		put(e, "(");
		emit_value(e, n->k[0]);
		put(e, binop(n->op));
		emit_value(e, n->k[1]);
		put(e, ")");
		break;
	}
}

static const char *const cmp_ops[] = {
	[ADQL_EQ - ADQL_EQ] = " = ", [ADQL_NE - ADQL_EQ] = " <> ",
	[ADQL_LT - ADQL_EQ] = " < ", [ADQL_LE - ADQL_EQ] = " <= ",
	[ADQL_GT - ADQL_EQ] = " > ", [ADQL_GE - ADQL_EQ] = " >= "
};

static void
emit_pred(struct emit *e, const struct adql_node *n)
{
	const char	*not = (n->flags & ADQL_NEG) ? "NOT " : "";

	emit_value(e, n->k[0]);
	switch (n->kind) {
	case ADQL_BETWEEN:
		putf(e, " %sBETWEEN ", not);
		emit_value(e, n->k[1]);
		put(e, " AND ");
		emit_value(e, n->k[2]);
		break;
	case ADQL_LIKE:
		/* ADQL, like SQL-92, has no escape character by default. */
		putf(e, " %s%s ", not, n->op == ADQL_LIKE_CI ? "ILIKE" :
		    "LIKE");
		emit_value(e, n->k[1]);
		put(e, " ESCAPE ''");
		break;
	case ADQL_IN:
		putf(e, " %sIN (", not);
		if (n->k[2] != NULL)
			emit_query(e, n->k[2], -1, 0);
		else
			emit_list(e, n->k[1]);
		put(e, ")");
		break;
	default:	/* ADQL_ISNULL */
		putf(e, " IS %sNULL", not);
		break;
	}
}

static void
emit_cond(struct emit *e, const struct adql_node *n)
{
	switch (n->kind) {
	case ADQL_OR:
		put(e, "(");
		emit_cond(e, n->k[0]);
		put(e, " OR ");
		emit_cond(e, n->k[1]);
		put(e, ")");
		break;
	case ADQL_AND:
		emit_cond(e, n->k[0]);
		put(e, " AND ");
		emit_cond(e, n->k[1]);
		break;
	case ADQL_NOT:
		put(e, "NOT (");
		emit_cond(e, n->k[0]);
		put(e, ")");
		break;
	case ADQL_EXISTS:
		put(e, "EXISTS (");
		emit_query(e, n->k[0], -1, 0);
		put(e, ")");
		break;
	case ADQL_CMP:
		if (emit_geom_cmp(e, n))
			break;
		emit_value(e, n->k[0]);
		put(e, cmp_ops[n->op - ADQL_EQ]);
		emit_value(e, n->k[1]);
		break;
	default:
		emit_pred(e, n);
		break;
	}
}

static const char *
join_word(const struct adql_node *j)
{
	int	 nat = (j->flags & ADQL_NATURAL) != 0;

	switch (j->op) {
	case ADQL_JLEFT:
		return nat ? " NATURAL LEFT JOIN " : " LEFT JOIN ";
	case ADQL_JRIGHT:
		return nat ? " NATURAL RIGHT JOIN " : " RIGHT JOIN ";
	case ADQL_JFULL:
		return nat ? " NATURAL FULL JOIN " : " FULL JOIN ";
	case ADQL_JCROSS:
		return " CROSS JOIN ";
	default:
		return nat ? " NATURAL JOIN " : " JOIN ";
	}
}

static void
emit_from(struct emit *e, const struct adql_node *f)
{
	const struct adql_table	*t;
	const struct adql_node	*id;

	if (f->kind == ADQL_TABLE) {
		t = f->rel->table;
		ident(e, t->db_schema != NULL ? t->db_schema : t->schema);
		put(e, ".");
		ident(e, t->db_name != NULL ? t->db_name : t->name);
		putf(e, " AS \"t%d\"", f->rel->id);
		return;
	}
	if (f->kind == ADQL_DERIVED) {
		put(e, "(");
		emit_query(e, f->k[0], -1, 0);
		putf(e, ") AS \"t%d\"", f->rel->id);
		return;
	}
	emit_from(e, f->k[0]);
	put(e, join_word(f));
	if (f->k[1]->kind == ADQL_JOIN)
		put(e, "(");
	emit_from(e, f->k[1]);
	if (f->k[1]->kind == ADQL_JOIN)
		put(e, ")");
	if (f->k[2] != NULL) {
		put(e, " ON ");
		emit_cond(e, f->k[2]);
	} else if (f->k[3] != NULL) {
		put(e, " USING (");
		for (id = f->k[3]; id != NULL; id = id->next) {
			ident(e, id->text);	/* the catalogue's name */
			put(e, id->next != NULL ? ", " : ")");
		}
	}
}

/* SELECT ... HAVING, and its TOP as LIMIT when TOP is its own. */
static void
emit_select(struct emit *e, const struct adql_node *s, int own_top)
{
	const struct adql_node	*n;

	put(e, (s->flags & ADQL_DISTINCT) ? "SELECT DISTINCT " : "SELECT ");
	for (n = s->k[0]; n != NULL; n = n->next) {
		emit_value(e, n->k[0]);
		put(e, " AS ");
		ident(e, n->text);
		put(e, n->next != NULL ? ", " : "");
	}
	put(e, " FROM ");
	for (n = s->k[1]; n != NULL; n = n->next) {
		emit_from(e, n);
		put(e, n->next != NULL ? ", " : "");
	}
	if (s->k[2] != NULL) {
		put(e, " WHERE ");
		emit_cond(e, s->k[2]);
	}
	if (s->k[3] != NULL) {
		put(e, " GROUP BY ");
		emit_list(e, s->k[3]);
	}
	if (s->k[4] != NULL) {
		put(e, " HAVING ");
		emit_cond(e, s->k[4]);
	}
	if (own_top && s->num >= 0)
		putf(e, " LIMIT %lld", s->num);
}

static const char *
setop_word(const struct adql_node *n)
{
	int	 all = (n->flags & ADQL_ALL) != 0;

	switch (n->op) {
	case ADQL_UNION:
		return all ? " UNION ALL " : " UNION ";
	case ADQL_EXCEPT:
		return all ? " EXCEPT ALL " : " EXCEPT ";
	default:
		return all ? " INTERSECT ALL " : " INTERSECT ";
	}
}

/* Each side in parentheses: its own LIMIT, and no doubt about grouping. */
static void
emit_operand(struct emit *e, const struct adql_node *n)
{
	put(e, "(");
	if (n->kind == ADQL_SELECT)
		emit_select(e, n, 1);
	else if (n->kind == ADQL_QUERY)
		emit_query(e, n, -1, 0);
	else {
		emit_operand(e, n->k[0]);
		put(e, setop_word(n));
		emit_operand(e, n->k[1]);
	}
	put(e, ")");
}

/*
 * The LIMIT of query Q: its SELECT's TOP, and when Q is the statement
 * itself (TOP set, not a subquery) no more than MAXREC + 1; -1 for none.
 */
static long long
query_limit(const struct adql_node *q, long long maxrec, int top)
{
	const struct adql_node	*body = q->k[0];
	long long		 limit = body->kind == ADQL_SELECT ? body->num : -1;

	if (top && maxrec >= 0 && (limit < 0 || limit > maxrec))
		limit = maxrec + 1;
	return limit;
}

static void
emit_query(struct emit *e, const struct adql_node *q, long long maxrec,
    int top)
{
	const struct adql_node	*body = q->k[0], *o;
	long long		 limit = query_limit(q, maxrec, top);

	if (body->kind == ADQL_SELECT)
		emit_select(e, body, 0);
	else {
		emit_operand(e, body->k[0]);
		put(e, setop_word(body));
		emit_operand(e, body->k[1]);
	}
	if (q->k[1] != NULL)
		put(e, " ORDER BY ");
	for (o = q->k[1]; o != NULL; o = o->next) {
		emit_value(e, o->k[0]);
		put(e, (o->flags & ADQL_DESC) ? " DESC" : "");
		put(e, o->next != NULL ? ", " : "");
	}
	if (limit >= 0)
		putf(e, " LIMIT %lld", limit);
	if (q->num >= 0)
		putf(e, " OFFSET %lld", q->num);
}

/* One more than any real MAXREC, and no overflow adding it. */
static long long
bounded(long long maxrec)
{
	return maxrec > (long long)1e18 ? (long long)1e18 : maxrec;
}

int
adql_emit(const struct adql_tree *t, long long maxrec, struct strbuf *out)
{
	struct emit	 e = { out, 0 };

	emit_query(&e, t->root, bounded(maxrec), 1);
	return e.rc;
}

long long
adql_emit_limit(const struct adql_tree *t, long long maxrec)
{
	return query_limit(t->root, bounded(maxrec), 1);
}
