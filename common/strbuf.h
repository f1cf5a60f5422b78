/*
 * strbuf: a growable byte buffer, always NUL-terminated.
 *
 * The buffer owns its memory; strbuf_free() releases it and leaves an empty
 * buffer.  Functions that can fail return 0 on success and -1 when memory
 * runs out, after which the buffer keeps its old contents.
 */
#ifndef RIF_STRBUF_H
#define RIF_STRBUF_H

#include <stddef.h>

struct strbuf {
	char	*s;	/* NULL until something is added */
	size_t	 len;
	size_t	 cap;
};

#define STRBUF_INIT	{ NULL, 0, 0 }

int	strbuf_add(struct strbuf *, const void *, size_t);
int	strbuf_puts(struct strbuf *, const char *);
int	strbuf_printf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	strbuf_reset(struct strbuf *);
void	strbuf_free(struct strbuf *);
/* The contents as a C string: "" for an empty buffer, never NULL. */
const char *strbuf_str(const struct strbuf *);
/*
 * Hand the contents over as a C string the caller frees (NULL when memory
 * runs out); the buffer is left empty.
 */
char	*strbuf_detach(struct strbuf *);

#endif
