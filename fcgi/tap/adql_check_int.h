/*
 * adql_check_int: what the checker's two halves share (adql_check.c for
 * queries, FROM and names; adql_type.c for values and conditions).
 */
#ifndef RIF_ADQL_CHECK_INT_H
#define RIF_ADQL_CHECK_INT_H

#include "adql_check.h"

struct check {
	struct adql_tree		*tree;
	const struct adql_catalog	*cat;
	char				*err;
	size_t				 errsize;
	int				 nrels;
	int				 ngroups;	/* USING merges */
	int				 failed;
};

/* The FROM items one SELECT sees, and the scope around it. */
struct scope {
	struct scope	*up;
	struct adql_rel	*rels, *last;
	const char	*no_agg;	/* where aggregates are refused, or NULL */
};

/* Record an error at N's place; returns -1. */
int	check_fail(struct check *, const struct adql_node *n,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* adql_check.c */
int	check_query(struct check *, struct scope *up, struct adql_node *q);
int	check_ident(struct check *, const struct adql_node *name);
int	resolve_column(struct check *, struct scope *, struct adql_node *col);

/* adql_type.c */
int	check_value(struct check *, struct scope *, struct adql_node *);
int	check_cond(struct check *, struct scope *, struct adql_node *);
/* The metadata a computed value of type T gets, named NAME. */
struct adql_field *field_for(struct check *, const struct adql_node *,
	    const char *name);
enum adql_type	 column_type(const struct adql_column *);

#endif
