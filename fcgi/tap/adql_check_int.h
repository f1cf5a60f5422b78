/*
 * adql_check_int: what the checker's parts share: adql_check.c for
 * queries, adql_from.c for FROM and names, adql_type.c for values and
 * conditions.
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
	const char	*no_agg;	/* a clause refusing aggregates */
};

/* Candidates an ambiguity message names. */
#define MAX_CANDS	4

/* A column of a FROM item a name may mean. */
struct cand {
	struct adql_rel	*rel;
	int		 col;
};

/* adql_check.c: queries, select lists, GROUP and ORDER BY */
int	check_query(struct check *, struct scope *up, struct adql_node *q);

/* adql_from.c: FROM items, joins, and what names mean */
/* Record an error at N's place; returns -1. */
int	check_fail(struct check *, const struct adql_node *n,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	check_nomem(struct check *, const struct adql_node *);
/* A reserved word as a regular identifier is an error. */
int	check_ident(struct check *, const struct adql_node *name);
int	ident_is(const struct adql_node *id, const char *name);
int	list_count(const struct adql_node *);
const char *dotted(const struct adql_node *names, int n, char *buf,
	    size_t size);
int	add_from(struct check *, struct scope *, struct adql_node *);
int	rel_named(const struct adql_rel *, const struct adql_node *qual,
	    int nq);
/* NAME's candidates among S's FROM items (-1: QUAL matched none). */
int	scope_find(const struct scope *s, const struct adql_node *qual,
	    int nq, const struct adql_node *name, struct cand *cands);
int	resolve_column(struct check *, struct scope *, struct adql_node *col);

/* adql_type.c */
int	check_value(struct check *, struct scope *, struct adql_node *);
int	check_cond(struct check *, struct scope *, struct adql_node *);
/* The metadata a computed value of type T gets, named NAME. */
struct adql_field *field_for(struct check *, const struct adql_node *,
	    const char *name);
enum adql_type	 column_type(const struct adql_column *);

#endif
