/*
 * adql_check: a parsed query checked against a catalogue.
 *
 * Only the catalogue's tables and columns are visible; regular identifiers
 * match names in any case, "delimited" ones exactly; a reserved word is
 * refused as a regular identifier; a name two FROM items could mean is an
 * error naming both; only adql_func's functions can be called.  * and t.*
 * become the columns they stand for, and every output column gets its
 * metadata: a catalogue column's own, a computed one a datatype from its
 * type.
 *
 * adql_check() annotates the tree in place (in its arena) and returns 0,
 * or -1 with ERR set to "line L, column C: what is wrong".  The
 * annotations point into the catalogue, which must outlive the tree.
 */
#ifndef RIF_ADQL_CHECK_H
#define RIF_ADQL_CHECK_H

#include <stddef.h>

#include "adql_ast.h"
#include "adql_catalog.h"

/* One output column; strings point into the catalogue or the tree. */
struct adql_field {
	const char	*name;
	const char	*datatype;
	const char	*arraysize;	/* NULL for a scalar */
	const char	*xtype;
	const char	*unit;
	const char	*ucd;
	const char	*utype;
	enum adql_type	 type;
};

/* A FROM item as the checker resolved it (read by adql_emit). */
struct adql_rel {
	struct adql_rel			*next;		/* in its scope */
	int				 id;		/* emitted as "t<id>" */
	const struct adql_table		*table;		/* NULL: derived */
	struct adql_node		*query;		/* a derived table's */
	const struct adql_node		*alias;
	const struct adql_field		*fields;
	int				 nfields;
	int				*merge;		/* USING groups */
};

int	adql_check(struct adql_tree *, const struct adql_catalog *,
	    char *err, size_t errsize);

/* The output columns of a checked tree, NFIELDS of them. */
const struct adql_field *adql_fields(const struct adql_tree *, int *nfields);

#endif
