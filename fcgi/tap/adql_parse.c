#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "adql_parse.h"
#include "adql_pstate.h"
#include "adql_gram.h"
#define YYSTYPE	ADQL_YYSTYPE
#define YYLTYPE	ADQL_YYLTYPE
#include "adql_lex.h"

/* In strcasecmp() order, for bsearch(). */
static const struct keyword {
	const char	*word;
	int		 token;
} keywords[] = {
	{ "ALL", ALL }, { "AND", AND }, { "AS", AS }, { "ASC", ASC },
	{ "BETWEEN", BETWEEN }, { "BY", BY }, { "CAST", CAST },
	{ "CROSS", CROSS }, { "DESC", DESC }, { "DISTINCT", DISTINCT },
	{ "EXCEPT", EXCEPT }, { "EXISTS", EXISTS }, { "FROM", FROM },
	{ "FULL", FULL }, { "GROUP", GROUP }, { "HAVING", HAVING },
	{ "ILIKE", ILIKE }, { "IN", IN }, { "INNER", INNER },
	{ "INTERSECT", INTERSECT }, { "IS", IS }, { "JOIN", JOIN },
	{ "LEFT", LEFT }, { "LIKE", LIKE }, { "NATURAL", NATURAL },
	{ "NOT", NOT }, { "NULL", NULL_ }, { "OFFSET", OFFSET }, { "ON", ON },
	{ "OR", OR }, { "ORDER", ORDER }, { "OUTER", OUTER },
	{ "RIGHT", RIGHT }, { "SELECT", SELECT }, { "TOP", TOP },
	{ "UNION", UNION }, { "USING", USING }, { "WHERE", WHERE }
};

static int
keyword_cmp(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct keyword *)elem)->word);
}

int
adql_keyword(const char *word, size_t len)
{
	const struct keyword	*k;
	char			 buf[16];

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, word, len);
	buf[len] = '\0';
	k = bsearch(buf, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), keyword_cmp);
	return k != NULL ? k->token : -1;
}

void
adql_pstate_error(struct adql_pstate *st, int line, int col,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (st->failed)
		return;
	st->failed = 1;
	n = snprintf(st->err, st->errsize, "line %d, column %d: ", line, col);
	if (n < 0 || (size_t)n >= st->errsize)
		return;
	va_start(ap, fmt);
	vsnprintf(st->err + n, st->errsize - (size_t)n, fmt, ap);
	va_end(ap);
}

struct adql_tree *
adql_parse(const char *text, size_t len, char *err, size_t errsize)
{
	struct adql_pstate	 st;
	yyscan_t		 scanner;
	int			 rc;

	memset(&st, 0, sizeof(st));
	st.line = st.col = 1;
	st.err = err;
	st.errsize = errsize;
	if (len > ADQL_MAX_INPUT) {
		snprintf(err, errsize, "the query is longer than %d bytes",
		    ADQL_MAX_INPUT);
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsize, "the query contains a NUL byte");
		return NULL;
	}
	if ((st.tree = adql_tree_new()) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (adql_yylex_init_extra(&st, &scanner) != 0) {
		adql_tree_free(st.tree);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (adql_yy_scan_bytes(text, (int)len, scanner) == NULL)
		rc = -1;
	else
		rc = adql_yyparse(scanner, &st);
	adql_yylex_destroy(scanner);
	if (rc != 0 || st.failed || st.tree->root == NULL) {
		if (!st.failed)
			snprintf(err, errsize, "out of memory");
		adql_tree_free(st.tree);
		return NULL;
	}
	return st.tree;
}
