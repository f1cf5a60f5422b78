/*
 * adql_pstate: what the generated lexer and parser share while one query
 * is read (private to adql_parse.c, adql_lex.l and adql_gram.y).
 */
#ifndef RIF_ADQL_PSTATE_H
#define RIF_ADQL_PSTATE_H

#include <stddef.h>

#include "adql_ast.h"

struct adql_pstate {
	struct adql_tree	*tree;
	int			 line, col;	/* where the lexer stands */
	int			 failed;	/* err holds the first error */
	char			*err;
	size_t			 errsize;
};

/* Record the first error, at LINE, COL: "line L, column C: text". */
void	adql_pstate_error(struct adql_pstate *, int line, int col,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The keyword token for WORD (any case), or -1 for an identifier. */
int	adql_keyword(const char *word, size_t len);

#endif
