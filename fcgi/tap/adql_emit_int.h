/*
 * adql_emit_int: what the emitter's halves share (adql_emit.c for queries,
 * conditions and plain values; adql_emit_geom.c for geometry).
 */
#ifndef RIF_ADQL_EMIT_INT_H
#define RIF_ADQL_EMIT_INT_H

#include "adql_ast.h"
#include "strbuf.h"

struct emit {
	struct strbuf	*out;
	int		 rc;	/* -1 once memory ran out */
};

void	put(struct emit *, const char *);
void	putf(struct emit *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* adql_emit.c */
void	emit_value(struct emit *, const struct adql_node *);
void	emit_list(struct emit *, const struct adql_node *);

/* adql_emit_geom.c */
void	emit_geom(struct emit *, const struct adql_node *fn);
/* A comparison written as a pgSphere operator: 1 if it was, else 0. */
int	emit_geom_cmp(struct emit *, const struct adql_node *cmp);

#endif
