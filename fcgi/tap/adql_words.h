/*
 * adql_words: ADQL 2.1's reserved words (§2.1.3), the SQL ones and ADQL's
 * own, which a regular identifier may not be.
 */
#ifndef RIF_ADQL_WORDS_H
#define RIF_ADQL_WORDS_H

#include <stddef.h>

/* Whether the LEN bytes at WORD, in any case, are a reserved word. */
int	adql_reserved(const char *word, size_t len);

#endif
