#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "adql_check_int.h"
#include "adql_func.h"

enum class { C_NULL, C_NUM, C_STR, C_GEOM };

static enum class
class_of(enum adql_type t)
{
	switch (t) {
	case ADQL_T_INT:
	case ADQL_T_REAL:
		return C_NUM;
	case ADQL_T_STR:
	case ADQL_T_TIME:
		return C_STR;
	case ADQL_T_POINT:
	case ADQL_T_CIRCLE:
	case ADQL_T_POLY:
		return C_GEOM;
	default:
		return C_NULL;
	}
}

static const char *const class_names[] = {
	[C_NULL] = "NULL", [C_NUM] = "a number", [C_STR] = "a string",
	[C_GEOM] = "a geometry"
};

static int
numeric(const struct adql_node *n)
{
	return class_of(n->type) == C_NUM || n->type == ADQL_T_NULL;
}

static int
is_geom(const struct adql_node *n, enum adql_type t)
{
	return t == ADQL_T_NONE ? class_of(n->type) == C_GEOM : n->type == t;
}

enum adql_type
column_type(const struct adql_column *col)
{
	const char	*x = col->xtype, *s = col->sqltype, *d = col->datatype;

	if (s != NULL && strcmp(s, "spoint") == 0)
		return ADQL_T_POINT;
	if (s != NULL && strcmp(s, "scircle") == 0)
		return ADQL_T_CIRCLE;
	if (s != NULL && (strcmp(s, "spoly") == 0 || strcmp(s, "sbox") == 0))
		return ADQL_T_POLY;
	if (x != NULL && s == NULL) {
		if (strcasecmp(x, "point") == 0)
			return ADQL_T_POINT;
		if (strcasecmp(x, "circle") == 0)
			return ADQL_T_CIRCLE;
		if (strcasecmp(x, "polygon") == 0 ||
		    strcasecmp(x, "adql:REGION") == 0)
			return ADQL_T_POLY;
	}
	if (x != NULL && (strcasecmp(x, "timestamp") == 0 ||
	    strcasecmp(x, "adql:TIMESTAMP") == 0))
		return ADQL_T_TIME;
	if (d != NULL && (strcmp(d, "short") == 0 || strcmp(d, "int") == 0 ||
	    strcmp(d, "long") == 0 || strcmp(d, "unsignedByte") == 0))
		return ADQL_T_INT;
	if (d != NULL && (strcmp(d, "float") == 0 || strcmp(d, "double") == 0))
		return ADQL_T_REAL;
	return ADQL_T_STR;
}

/* CAST targets: ADQL 2.1 §2.6's types, as PostgreSQL and VOTable name them. */
static const struct cast {
	const char	*adql, *sql, *datatype;
	enum adql_type	 type;
} casts[] = {
	{ "SMALLINT", "smallint", "short", ADQL_T_INT },
	{ "INTEGER", "integer", "int", ADQL_T_INT },
	{ "BIGINT", "bigint", "long", ADQL_T_INT },
	{ "REAL", "real", "float", ADQL_T_REAL },
	{ "DOUBLE PRECISION", "double precision", "double", ADQL_T_REAL },
	{ "CHAR", "char", "char", ADQL_T_STR },
	{ "VARCHAR", "varchar", "char", ADQL_T_STR },
	{ "TIMESTAMP", "timestamp", "char", ADQL_T_TIME }
};

static const struct cast *
find_cast(const char *text)
{
	size_t	 i;

	for (i = 0; i < sizeof(casts) / sizeof(casts[0]); i++)
		if (strcasecmp(text, casts[i].adql) == 0 ||
		    strcmp(text, casts[i].sql) == 0)
			return &casts[i];
	return NULL;
}

static int
check_cast(struct check *c, struct scope *s, struct adql_node *n)
{
	const struct cast	*t;

	if (check_value(c, s, n->k[0]) == -1)
		return -1;
	if ((t = find_cast(n->text)) == NULL)
		return check_fail(c, n, "CAST to %s is not supported", n->text);
	if (n->num != -1 && t->type != ADQL_T_STR)
		return check_fail(c, n, "CAST: only CHAR and VARCHAR take a "
		    "length");
	if (class_of(n->k[0]->type) == C_GEOM)
		return check_fail(c, n, "CAST of a geometry is not supported");
	n->text = t->sql;
	n->type = t->type;
	return 0;
}

/* 'ICRS', '' or omitted: the only frame this service's positions are in. */
static int
coordsys(struct check *c, struct adql_node *fn)
{
	struct adql_node	*a = fn->k[0];

	if (a == NULL || a->kind != ADQL_STR)
		return 0;
	if (a->text[0] != '\0' && strncasecmp(a->text, "ICRS", 4) != 0)
		return check_fail(c, a, "%s: coordinate system '%s' is not "
		    "supported; positions here are ICRS", fn->text, a->text);
	fn->k[0] = a->next;
	return 0;
}

static int
args_of(struct adql_node *fn, struct adql_node **a, int max)
{
	struct adql_node	*n;
	int			 i = 0;

	for (n = fn->k[0]; n != NULL; n = n->next, i++)
		if (i < max)
			a[i] = n;
	return i;
}

/* All numbers, or all points: which, for the forms that take either. */
static int
all_numeric(struct adql_node *fn)
{
	struct adql_node	*n;

	for (n = fn->k[0]; n != NULL; n = n->next)
		if (!numeric(n))
			return 0;
	return 1;
}

static int
all_points(struct adql_node *fn)
{
	struct adql_node	*n;

	for (n = fn->k[0]; n != NULL; n = n->next)
		if (n->type != ADQL_T_POINT)
			return 0;
	return 1;
}

static int
bad_args(struct check *c, struct adql_node *fn, const char *what)
{
	return check_fail(c, fn, "%s takes %s", adql_funcs[fn->fn].name, what);
}

/* POINT, CIRCLE, BOX and POLYGON, after any coordinate system. */
static int
type_shape(struct check *c, struct adql_node *fn, int nargs,
    struct adql_node **a)
{
	switch (fn->fn) {
	case F_POINT:
		if (nargs != 2 || !all_numeric(fn))
			return bad_args(c, fn, "two numbers, degrees");
		return 0;
	case F_CIRCLE:
		if ((nargs == 3 && all_numeric(fn)) || (nargs == 2 &&
		    a[0]->type == ADQL_T_POINT && numeric(a[1])))
			return 0;
		return bad_args(c, fn, "a centre (a point, or two numbers) "
		    "and a radius");
	case F_BOX:
		if ((nargs == 4 && all_numeric(fn)) || (nargs == 3 &&
		    a[0]->type == ADQL_T_POINT && numeric(a[1]) &&
		    numeric(a[2])))
			return 0;
		return bad_args(c, fn, "a centre (a point, or two numbers), "
		    "a width and a height");
	default:
		if ((nargs >= 3 && all_points(fn)) ||
		    (nargs >= 6 && nargs % 2 == 0 && all_numeric(fn)))
			return 0;
		return bad_args(c, fn, "three or more vertices, as points or "
		    "as pairs of numbers");
	}
}

/* The functions of regions and points. */
static int
type_geom(struct check *c, struct adql_node *fn, int nargs,
    struct adql_node **a)
{
	switch (fn->fn) {
	case F_CONTAINS:
		if (is_geom(a[0], ADQL_T_NONE) && (a[1]->type ==
		    ADQL_T_CIRCLE || a[1]->type == ADQL_T_POLY))
			return 0;
		return bad_args(c, fn, "a geometry and a region (a CIRCLE, "
		    "BOX or POLYGON) that may contain it");
	case F_INTERSECTS:
		if (is_geom(a[0], ADQL_T_NONE) && is_geom(a[1], ADQL_T_NONE) &&
		    (a[0]->type != ADQL_T_POINT || a[1]->type != ADQL_T_POINT))
			return 0;
		return bad_args(c, fn, "two geometries, at most one a point");
	case F_DISTANCE:
		if ((nargs == 2 && all_points(fn)) ||
		    (nargs == 4 && all_numeric(fn)))
			return 0;
		return bad_args(c, fn, "two points, or four numbers");
	case F_AREA:
		if (a[0]->type == ADQL_T_CIRCLE || a[0]->type == ADQL_T_POLY)
			return 0;
		return bad_args(c, fn, "a region");
	case F_CENTROID:
		if (a[0]->type == ADQL_T_CIRCLE)
			return 0;
		return bad_args(c, fn, "a circle (of a polygon it is not "
		    "supported here)");
	default:		/* COORD1, COORD2 */
		if (a[0]->type == ADQL_T_POINT)
			return 0;
		return bad_args(c, fn, "a point");
	}
}

/* The type a numeric function gives, from its arguments'. */
static enum adql_type
numeric_result(const struct adql_node *fn, int nargs, struct adql_node **a)
{
	int	 ints = 1, i;

	for (i = 0; i < nargs && i < 2; i++)
		if (a[i]->type != ADQL_T_INT)
			ints = 0;
	switch (fn->fn) {
	case F_ABS:
	case F_CEILING:
	case F_FLOOR:
	case F_SUM:
		return a[0]->type == ADQL_T_INT ? ADQL_T_INT : ADQL_T_REAL;
	case F_MOD:
		return ints ? ADQL_T_INT : ADQL_T_REAL;
	case F_ROUND:
	case F_TRUNCATE:
		return nargs == 1 && ints ? ADQL_T_INT : ADQL_T_REAL;
	default:
		return ADQL_T_REAL;
	}
}

static int
type_other(struct check *c, struct adql_node *fn, int nargs,
    struct adql_node **a)
{
	const struct adql_func	*f = &adql_funcs[fn->fn];
	int			 i;

	switch (fn->fn) {
	case F_LOWER:
	case F_UPPER:
		if (class_of(a[0]->type) != C_STR && a[0]->type != ADQL_T_NULL)
			return bad_args(c, fn, "a string");
		return 0;
	case F_COALESCE:
		for (i = 0; i < nargs && i < 64; i++)
			if (a[i]->type != ADQL_T_NULL &&
			    fn->type == ADQL_T_NONE)
				fn->type = a[i]->type;
		if (fn->type == ADQL_T_NONE)
			fn->type = ADQL_T_NULL;
		return 0;
	case F_COUNT:
		return 0;
	case F_MIN:
	case F_MAX:
		if (class_of(a[0]->type) == C_GEOM)
			return bad_args(c, fn, "a number or a string");
		fn->type = a[0]->type;
		return 0;
	default:
		if (!all_numeric(fn))
			return bad_args(c, fn, "numbers");
		if ((fn->fn == F_ROUND || fn->fn == F_TRUNCATE) && nargs == 2 &&
		    a[1]->kind != ADQL_NUM && a[1]->kind != ADQL_NEG_)
			return bad_args(c, fn, "a number and a whole number of "
			    "decimal places");
		if (f->ret == ADQL_T_NONE)
			fn->type = numeric_result(fn, nargs, a);
		return 0;
	}
}

static int
check_args(struct check *c, struct scope *s, struct adql_node *fn)
{
	const struct adql_func	*f = &adql_funcs[fn->fn];
	struct adql_node	*n;
	int			 nargs = 0;

	for (n = fn->k[0]; n != NULL; n = n->next, nargs++)
		if (check_value(c, s, n) == -1)
			return -1;
	if (fn->fn == F_RAND && nargs > 0)
		return check_fail(c, fn, "RAND with a seed is not supported");
	if ((fn->flags & ADQL_STARARG) ? fn->fn != F_COUNT :
	    nargs < f->minargs || (f->maxargs != -1 && nargs > f->maxargs) ||
	    (fn->fn == F_COUNT && nargs == 0))
		return check_fail(c, fn, "%s: wrong number of arguments",
		    f->name);
	return nargs;
}

static int
check_func(struct check *c, struct scope *s, struct adql_node *fn)
{
	struct adql_node	*a[4] = { NULL, NULL, NULL, NULL };
	int			 nargs, rc;

	if ((fn->flags & ADQL_DELIM) || (fn->fn = adql_func_find(fn->text))
	    == -1)
		return check_fail(c, fn, "unknown function %s", fn->text);
	if (adql_func_is_aggregate(fn->fn) && s->no_agg != NULL)
		return check_fail(c, fn, "%s: aggregate functions are not "
		    "allowed in %s", adql_funcs[fn->fn].name, s->no_agg);
	if ((fn->flags & ADQL_DISTINCT) && !adql_func_is_aggregate(fn->fn))
		return check_fail(c, fn, "DISTINCT is for aggregate functions");
	if (fn->fn >= F_POINT && fn->fn <= F_POLYGON &&
	    coordsys(c, fn) == -1)
		return -1;
	if ((nargs = check_args(c, s, fn)) == -1)
		return -1;
	args_of(fn, a, 4);
	fn->type = adql_funcs[fn->fn].ret;
	if (fn->fn >= F_POINT && fn->fn <= F_POLYGON)
		rc = type_shape(c, fn, nargs, a);
	else if (fn->fn >= F_CONTAINS)
		rc = type_geom(c, fn, nargs, a);
	else
		rc = type_other(c, fn, nargs, a);
	return rc;
}

static int
arith(struct check *c, struct adql_node *n)
{
	struct adql_node	*l = n->k[0], *r = n->k[1];

	if (n->op == ADQL_CONCAT) {
		if (class_of(l->type) == C_GEOM || class_of(r->type) == C_GEOM)
			return check_fail(c, n, "|| joins strings, not "
			    "geometries");
		n->type = ADQL_T_STR;
		return 0;
	}
	if (!numeric(l) || !numeric(r))
		return check_fail(c, n, "arithmetic takes numbers, not %s",
		    class_names[class_of(numeric(l) ? r->type : l->type)]);
	n->type = l->type == ADQL_T_REAL || r->type == ADQL_T_REAL ?
	    ADQL_T_REAL : ADQL_T_INT;
	return 0;
}

int
check_value(struct check *c, struct scope *s, struct adql_node *n)
{
	switch (n->kind) {
	case ADQL_NUM:
		n->type = n->op == ADQL_INT ? ADQL_T_INT : ADQL_T_REAL;
		return 0;
	case ADQL_STR:
		n->type = ADQL_T_STR;
		return 0;
	case ADQL_NULL:
		n->type = ADQL_T_NULL;
		return 0;
	case ADQL_COL:
		return resolve_column(c, s, n);
	case ADQL_FUNC:
		return check_func(c, s, n);
	case ADQL_CAST:
		return check_cast(c, s, n);
	case ADQL_NEG_:
		if (check_value(c, s, n->k[0]) == -1)
			return -1;
		if (!numeric(n->k[0]))
			return check_fail(c, n, "minus takes a number");
		n->type = n->k[0]->type;
		return 0;
	case ADQL_BINOP:
		if (check_value(c, s, n->k[0]) == -1 ||
		    check_value(c, s, n->k[1]) == -1)
			return -1;
		return arith(c, n);
	default:
		return check_fail(c, n, "a value was expected here");
	}
}

/* Whether A and B may be compared (ORD: with < and the like too). */
static int
comparable(struct check *c, const struct adql_node *at,
    const struct adql_node *a, const struct adql_node *b, int ord)
{
	enum class	 ca = class_of(a->type), cb = class_of(b->type);

	if (ca != C_NULL && cb != C_NULL && ca != cb)
		return check_fail(c, at, "cannot compare %s with %s",
		    class_names[ca], class_names[cb]);
	if (ord && (ca == C_GEOM || cb == C_GEOM))
		return check_fail(c, at, "geometries compare only with = "
		    "and <>");
	return 0;
}

static int
check_in(struct check *c, struct scope *s, struct adql_node *n)
{
	struct adql_node	*v;

	if (n->k[2] != NULL) {
		if (check_query(c, s, n->k[2]) == -1)
			return -1;
		if (n->k[2]->nfields != 1)
			return check_fail(c, n, "IN (SELECT ...) takes one "
			    "column, not %d", n->k[2]->nfields);
		return comparable(c, n, n->k[0], &(struct adql_node){
		    .type = n->k[2]->fields[0].type }, 0);
	}
	for (v = n->k[1]; v != NULL; v = v->next)
		if (check_value(c, s, v) == -1 ||
		    comparable(c, v, n->k[0], v, 0) == -1)
			return -1;
	return 0;
}

int
check_cond(struct check *c, struct scope *s, struct adql_node *n)
{
	switch (n->kind) {
	case ADQL_OR:
	case ADQL_AND:
		return check_cond(c, s, n->k[0]) == -1 ? -1 :
		    check_cond(c, s, n->k[1]);
	case ADQL_NOT:
		return check_cond(c, s, n->k[0]);
	case ADQL_EXISTS:
		return check_query(c, s, n->k[0]);
	case ADQL_ISNULL:
		return check_value(c, s, n->k[0]);
	case ADQL_IN:
		return check_value(c, s, n->k[0]) == -1 ? -1 :
		    check_in(c, s, n);
	default:
		break;
	}
	if (check_value(c, s, n->k[0]) == -1 ||
	    check_value(c, s, n->k[1]) == -1 ||
	    (n->k[2] != NULL && check_value(c, s, n->k[2]) == -1))
		return -1;
	switch (n->kind) {
	case ADQL_CMP:
		return comparable(c, n, n->k[0], n->k[1],
		    n->op != ADQL_EQ && n->op != ADQL_NE);
	case ADQL_BETWEEN:
		return comparable(c, n, n->k[0], n->k[1], 1) == -1 ? -1 :
		    comparable(c, n, n->k[0], n->k[2], 1);
	case ADQL_LIKE:
		if (class_of(n->k[0]->type) == C_NUM ||
		    class_of(n->k[0]->type) == C_GEOM ||
		    class_of(n->k[1]->type) == C_NUM ||
		    class_of(n->k[1]->type) == C_GEOM)
			return check_fail(c, n, "LIKE compares strings");
		return 0;
	default:
		return check_fail(c, n, "a condition was expected here");
	}
}

/* DALI's forms for computed values (DALI 1.1 §3.3: point, circle, polygon). */
static const struct {
	const char	*datatype, *arraysize, *xtype;
} forms[] = {
	[ADQL_T_NONE] = { "char", "*", NULL },
	[ADQL_T_NULL] = { "char", "*", NULL },
	[ADQL_T_INT] = { "long", NULL, NULL },
	[ADQL_T_REAL] = { "double", NULL, NULL },
	[ADQL_T_STR] = { "char", "*", NULL },
	[ADQL_T_TIME] = { "char", "*", "timestamp" },
	[ADQL_T_POINT] = { "double", "2", "point" },
	[ADQL_T_CIRCLE] = { "double", "3", "circle" },
	[ADQL_T_POLY] = { "double", "*", "polygon" }
};

static int
cast_field(struct check *c, const struct adql_node *n, struct adql_field *f)
{
	const struct cast	*t = find_cast(n->text);
	char			 buf[16];

	f->datatype = t->datatype;
	if (t->type != ADQL_T_STR)
		return 0;
	if (n->num == -1) {
		f->arraysize = strcmp(t->sql, "char") == 0 ? "1" : "*";
		return 0;
	}
	snprintf(buf, sizeof(buf), "%lld%s", n->num,
	    strcmp(t->sql, "varchar") == 0 ? "*" : "");
	f->arraysize = adql_strndup(c->tree, buf, strlen(buf));
	return f->arraysize == NULL ? -1 : 0;
}

struct adql_field *
field_for(struct check *c, const struct adql_node *n, const char *name)
{
	struct adql_field	*f;
	const struct adql_field	*arg;

	if ((f = adql_alloc(c->tree, sizeof(*f))) == NULL)
		return NULL;
	f->name = name;
	f->type = n->type;
	f->datatype = forms[n->type].datatype;
	f->arraysize = forms[n->type].arraysize;
	f->xtype = forms[n->type].xtype;
	if (n->kind == ADQL_CAST && cast_field(c, n, f) == -1)
		return NULL;
	/* The extremes of a column are in its unit and form. */
	if (n->kind == ADQL_FUNC && (n->fn == F_MIN || n->fn == F_MAX) &&
	    (arg = n->k[0]->field) != NULL) {
		f->datatype = arg->datatype;
		f->arraysize = arg->arraysize;
		f->xtype = arg->xtype;
		f->unit = arg->unit;
	}
	return f;
}
