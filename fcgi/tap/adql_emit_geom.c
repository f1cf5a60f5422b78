#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adql_emit_int.h"
#include "adql_func.h"

/* A number written in the query, maybe negated: its value in V. */
static int
constant(const struct adql_node *n, double *v)
{
	int	 sign = 1;

	if (n->kind == ADQL_NEG_) {
		sign = -1;
		n = n->k[0];
	}
	if (n->kind != ADQL_NUM)
		return 0;
	*v = sign * strtod(n->text, NULL);
	return 1;
}

/* POINT(number, number), both written in the query. */
static int
constant_point(const struct adql_node *n, double *a, double *d)
{
	return n->kind == ADQL_FUNC && n->fn == F_POINT &&
	    constant(n->k[0], a) && constant(n->k[0]->next, d);
}

/* The shortest text that reads back as V. */
static void
put_double(struct emit *e, double v)
{
	char	 buf[32];
	int	 prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	put(e, buf);
}

static void
radians(struct emit *e, const struct adql_node *n)
{
	put(e, "radians(");
	emit_value(e, n);
	put(e, ")");
}

static void
spoint(struct emit *e, const struct adql_node *a, const struct adql_node *d)
{
	put(e, "spoint(");
	radians(e, a);
	put(e, ", ");
	radians(e, d);
	put(e, ")");
}

/*
 * Vertices all written as numbers: a pgSphere polygon literal in degrees.
 * BOX gives its centre, width and height (DaCHS's reading: a polygon
 * through the four corners).
 */
static int
constant_vertices(const struct adql_node *fn, double *v, int max)
{
	const struct adql_node	*n;
	int			 i = 0;

	for (n = fn->k[0]; n != NULL; n = n->next) {
		if (i + 2 > max)
			return -1;
		if (n->kind == ADQL_FUNC) {
			if (!constant_point(n, &v[i], &v[i + 1]))
				return -1;
			i += 2;
		} else if (!constant(n, &v[i++]))
			return -1;
	}
	return i;
}

static int
box_corners(double *v, int n)
{
	double	 ra = v[0], de = v[1], w, h;

	if (n != 4)
		return -1;
	w = v[2] / 2;
	h = v[3] / 2;
	v[0] = ra - w, v[1] = de - h;
	v[2] = ra + w, v[3] = de - h;
	v[4] = ra + w, v[5] = de + h;
	v[6] = ra - w, v[7] = de + h;
	return 8;
}

static int
polygon_literal(struct emit *e, const struct adql_node *fn)
{
	double	 v[64];
	int	 i, n;

	if ((n = constant_vertices(fn, v, 64)) == -1 ||
	    (fn->fn == F_BOX && (n = box_corners(v, n)) == -1))
		return 0;
	put(e, "spoly '{");
	for (i = 0; i < n; i += 2) {
		put(e, i > 0 ? ",(" : "(");
		put_double(e, v[i]);
		put(e, "d,");
		put_double(e, v[i + 1]);
		put(e, "d)");
	}
	put(e, "}'");
	return 1;
}

/* One BOX corner: the centre's coordinate plus or minus half a side. */
static void
box_coord(struct emit *e, const struct adql_node *c, int which,
    const struct adql_node *side, int sign)
{
	put(e, "radians(");
	if (c->type == ADQL_T_POINT) {
		put(e, which == 1 ? "degrees(long(" : "degrees(lat(");
		emit_value(e, c);
		put(e, "))");
	} else
		emit_value(e, which == 1 ? c : c->next);
	put(e, sign < 0 ? " - " : " + ");
	emit_value(e, side);
	put(e, " / 2.0)");
}

static void
box_vertices(struct emit *e, const struct adql_node *fn)
{
	const struct adql_node	*c = fn->k[0], *w, *h;
	static const int	 sx[] = { -1, 1, 1, -1 };
	static const int	 sy[] = { -1, -1, 1, 1 };
	int			 i;

	w = c->type == ADQL_T_POINT ? c->next : c->next->next;
	h = w->next;
	for (i = 0; i < 4; i++) {
		putf(e, "%s(%d, spoint(", i > 0 ? ", " : "", i + 1);
		box_coord(e, c, 1, w, sx[i]);
		put(e, ", ");
		box_coord(e, c, 2, h, sy[i]);
		put(e, "))");
	}
}

/*
 * Vertices that are not all constants: pgSphere 1.2 has no
 * spoly(spoint[]), but its spoly aggregate over the points in order
 * builds the same polygon (DaCHS's way).
 */
static void
polygon_aggregate(struct emit *e, const struct adql_node *fn)
{
	const struct adql_node	*n;
	int			 i = 1;

	put(e, "(SELECT spoly(v.p ORDER BY v.i) FROM (VALUES ");
	if (fn->fn == F_BOX)
		box_vertices(e, fn);
	for (n = fn->k[0]; fn->fn == F_POLYGON && n != NULL; n = n->next) {
		putf(e, "%s(%d, ", i > 1 ? ", " : "", i);
		if (n->type == ADQL_T_POINT)
			emit_value(e, n);
		else {
			spoint(e, n, n->next);
			n = n->next;
		}
		put(e, ")");
		i++;
	}
	put(e, ") AS v(i, p))");
}

/* a <@ b or a && b: CONTAINS, or INTERSECTS (a point in a region). */
static void
predicate(struct emit *e, const struct adql_node *fn)
{
	const struct adql_node	*a = fn->k[0], *b = a->next, *t;

	if (fn->fn == F_INTERSECTS && b->type == ADQL_T_POINT) {
		t = a;
		a = b;
		b = t;
	}
	emit_value(e, a);
	put(e, fn->fn == F_CONTAINS || a->type == ADQL_T_POINT ? " <@ " :
	    " && ");
	emit_value(e, b);
}

static void
distance(struct emit *e, const struct adql_node *fn)
{
	const struct adql_node	*a = fn->k[0];

	put(e, "degrees(");
	if (a->next->next != NULL) {
		spoint(e, a, a->next);
		put(e, " <-> ");
		spoint(e, a->next->next, a->next->next->next);
	} else {
		emit_value(e, a);
		put(e, " <-> ");
		emit_value(e, a->next);
	}
	put(e, ")");
}

static void
around(struct emit *e, const char *before, const struct adql_node *n,
    const char *after)
{
	put(e, before);
	emit_value(e, n);
	put(e, after);
}

void
emit_geom(struct emit *e, const struct adql_node *fn)
{
	const struct adql_node	*a = fn->k[0];

	switch (fn->fn) {
	case F_POINT:
		spoint(e, a, a->next);
		break;
	case F_CIRCLE:
		put(e, "scircle(");
		if (a->type == ADQL_T_POINT)
			emit_value(e, a);
		else
			spoint(e, a, a->next);
		put(e, ", ");
		radians(e, a->type == ADQL_T_POINT ? a->next : a->next->next);
		put(e, ")");
		break;
	case F_BOX:
	case F_POLYGON:
		if (!polygon_literal(e, fn))
			polygon_aggregate(e, fn);
		break;
	case F_CONTAINS:
	case F_INTERSECTS:
		put(e, "(CASE WHEN ");
		predicate(e, fn);
		put(e, " THEN 1 ELSE 0 END)");
		break;
	case F_DISTANCE:
		distance(e, fn);
		break;
	case F_AREA:
		around(e, "degrees(degrees(area(", a, ")))");
		break;
	case F_COORD1:
		around(e, "degrees(long(", a, "))");
		break;
	case F_COORD2:
		around(e, "degrees(lat(", a, "))");
		break;
	default:	/* F_CENTROID, of a circle */
		around(e, "center(", a, ")");
		break;
	}
}

/* CONTAINS(..) or INTERSECTS(..) compared with 0 or 1. */
static int
bool_cmp(struct emit *e, const struct adql_node *fn, const struct adql_node *v,
    int op)
{
	int	 truth;

	if (fn->kind != ADQL_FUNC || (fn->fn != F_CONTAINS &&
	    fn->fn != F_INTERSECTS) || v->kind != ADQL_NUM ||
	    v->op != ADQL_INT || (v->num != 0 && v->num != 1) ||
	    (op != ADQL_EQ && op != ADQL_NE))
		return 0;
	truth = (v->num == 1) != (op == ADQL_NE);
	put(e, truth ? "" : "NOT (");
	predicate(e, fn);
	put(e, truth ? "" : ")");
	return 1;
}

/* The two points of a DISTANCE, written one after the other. */
static void
point_of(struct emit *e, const struct adql_node *fn, int second)
{
	const struct adql_node	*a = fn->k[0];

	if (a->next->next != NULL) {
		a = second ? a->next->next : a;
		spoint(e, a, a->next);
	} else
		emit_value(e, second ? a->next : a);
}

/*
 * DISTANCE(p, q) < r, r a constant of 0 to 90 degrees (a pgSphere circle
 * is no wider): the row's point in a circle around the constant one,
 * which an index answers, and then the exact test, since pgSphere's
 * containment allows for rounding.
 */
static int
distance_cmp(struct emit *e, const struct adql_node *fn,
    const struct adql_node *r, int op)
{
	const struct adql_node	*a;
	double			 v, x, y;
	int			 centre;

	if (fn->kind != ADQL_FUNC || fn->fn != F_DISTANCE ||
	    r->kind != ADQL_NUM || (op != ADQL_LT && op != ADQL_LE) ||
	    (v = strtod(r->text, NULL)) < 0 || v > 90)
		return 0;
	a = fn->k[0];
	/* The constant point, if one is, is the centre. */
	centre = a->next->next != NULL ? !(constant(a, &x) &&
	    constant(a->next, &y)) : !constant_point(a, &x, &y);
	put(e, "(");
	point_of(e, fn, !centre);
	put(e, " <@ scircle(");
	point_of(e, fn, centre);
	around(e, ", radians(", r, ")) AND ");
	distance(e, fn);
	put(e, op == ADQL_LT ? " < " : " <= ");
	emit_value(e, r);
	put(e, ")");
	return 1;
}

int
emit_geom_cmp(struct emit *e, const struct adql_node *cmp)
{
	const struct adql_node	*l = cmp->k[0], *r = cmp->k[1];
	int			 flip;

	switch (cmp->op) {
	case ADQL_LT:
		flip = ADQL_GT;
		break;
	case ADQL_LE:
		flip = ADQL_GE;
		break;
	case ADQL_GT:
		flip = ADQL_LT;
		break;
	case ADQL_GE:
		flip = ADQL_LE;
		break;
	default:
		flip = cmp->op;
		break;
	}
	return bool_cmp(e, l, r, cmp->op) || bool_cmp(e, r, l, cmp->op) ||
	    distance_cmp(e, l, r, cmp->op) || distance_cmp(e, r, l, flip);
}
