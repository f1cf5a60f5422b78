#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "adql_ast.h"

#define CHUNK	8192

struct chunk {
	struct chunk	*prev;
	size_t		 used, size;
	alignas(max_align_t) unsigned char data[];
};

struct adql_arena {
	struct chunk	*top;
	size_t		 total;		/* bytes taken from malloc */
	int		 too_deep;
};

struct adql_tree *
adql_tree_new(void)
{
	struct adql_tree	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->arena = calloc(1, sizeof(*t->arena))) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
adql_tree_free(struct adql_tree *t)
{
	struct chunk	*c, *prev;

	if (t == NULL)
		return;
	for (c = t->arena->top; c != NULL; c = prev) {
		prev = c->prev;
		free(c);
	}
	free(t->arena);
	free(t);
}

void *
adql_alloc(struct adql_tree *t, size_t n)
{
	struct adql_arena	*a = t->arena;
	struct chunk		*c = a->top;
	size_t			 size;
	void			*p;

	n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	if (c == NULL || c->size - c->used < n) {
		size = n > CHUNK ? n : CHUNK;
		if (size > ADQL_ARENA_MAX || a->total > ADQL_ARENA_MAX - size)
			return NULL;
		if ((c = malloc(sizeof(*c) + size)) == NULL)
			return NULL;
		c->size = size;
		c->used = 0;
		c->prev = a->top;
		a->top = c;
		a->total += size;
	}
	p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *
adql_strndup(struct adql_tree *t, const char *s, size_t n)
{
	char	*p;

	if (n == (size_t)-1 || (p = adql_alloc(t, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int
list_depth(const struct adql_node *n)
{
	int	 d = 0;

	for (; n != NULL; n = n->next)
		if (n->depth > d)
			d = n->depth;
	return d;
}

int
adql_redepth(struct adql_tree *t, struct adql_node *n)
{
	int	 i, d = 0;

	for (i = 0; i < ADQL_KIDS; i++)
		if (list_depth(n->k[i]) > d)
			d = list_depth(n->k[i]);
	n->depth = d + 1;
	if (n->depth > ADQL_MAX_DEPTH) {
		t->arena->too_deep = 1;
		return -1;
	}
	return 0;
}

struct adql_node *
adql_node(struct adql_tree *t, enum adql_kind kind, int line, int col,
    struct adql_node *k0, struct adql_node *k1, struct adql_node *k2,
    struct adql_node *k3)
{
	struct adql_node	*n;

	if ((n = adql_alloc(t, sizeof(*n))) == NULL)
		return NULL;
	n->kind = kind;
	n->line = line;
	n->col = col;
	n->num = -1;
	n->colno = -1;
	n->fn = -1;
	n->k[0] = k0;
	n->k[1] = k1;
	n->k[2] = k2;
	n->k[3] = k3;
	return adql_redepth(t, n) == 0 ? n : NULL;
}

int
adql_tree_too_deep(const struct adql_tree *t)
{
	return t->arena->too_deep;
}

struct adql_node *
adql_append(struct adql_node *head, struct adql_node *item)
{
	if (head == NULL) {
		item->last = item;
		return item;
	}
	head->last->next = item;
	head->last = item;
	return head;
}
