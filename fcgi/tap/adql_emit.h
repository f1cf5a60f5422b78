/*
 * adql_emit: a checked ADQL tree as PostgreSQL + pgSphere SQL.
 *
 * Everything in the SQL comes from the tree as the checker left it: table
 * and column names are the catalogue's, double-quoted; FROM items are
 * renamed "t1", "t2", ...; output columns are named (quoted) as the
 * checker named them; strings are written as escaped literals and numbers
 * as the lexer read them.  No text of the query is copied otherwise.
 *
 * Geometry follows pgSphere 1.2, which holds radians: POINT(a, d) is
 * spoint(radians(a), radians(d)); CONTAINS(..) = 1 and INTERSECTS(..) = 1
 * (either way round, = 0 too) become the <@ and && operators a GiST index
 * answers; DISTANCE(p, q) < r with a constant r up to 90 degrees becomes a
 * containment in a circle plus the exact test.
 *
 * TOP and MAXREC make one LIMIT: the smaller of TOP and MAXREC + 1 (the
 * extra row tells the caller the result overflowed; with TOP <= MAXREC
 * there is none to tell).  MAXREC -1: no limit but TOP.
 */
#ifndef RIF_ADQL_EMIT_H
#define RIF_ADQL_EMIT_H

#include "adql_ast.h"
#include "strbuf.h"

/* Append the SQL for checked tree T to OUT; -1 when memory runs out. */
int	adql_emit(const struct adql_tree *t, long long maxrec,
	    struct strbuf *out);
/* The LIMIT that SQL has: at most so many rows come (-1: no limit). */
long long adql_emit_limit(const struct adql_tree *t, long long maxrec);

/*
 * NAME as a PostgreSQL identifier, double-quoted with any quote inside
 * doubled, appended to OUT (the form every name in the SQL takes); -1
 * when memory runs out.
 */
int	adql_emit_ident(struct strbuf *out, const char *name);

#endif
