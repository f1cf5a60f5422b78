/*
 * adql_parse: ADQL 2.1 query text to a tree.
 *
 * The text may be at most ADQL_MAX_INPUT bytes and may not contain a NUL.
 * adql_parse() returns a tree the caller releases with adql_tree_free(),
 * or NULL with ERR set to "line L, column C: what went wrong", e.g.
 * "line 1, column 15: syntax error, unexpected FROM, expecting identifier".
 */
#ifndef RIF_ADQL_PARSE_H
#define RIF_ADQL_PARSE_H

#include <stddef.h>

#include "adql_ast.h"

#define ADQL_MAX_INPUT	65536

struct adql_tree *adql_parse(const char *text, size_t len, char *err,
	    size_t errsize);

#endif
