/*
 * adql_ast: the tree an ADQL query parses into.
 *
 * One node type with a kind tag, up to ADQL_KIDS children and a sibling
 * link for lists (select items, FROM items, arguments, ORDER BY terms).
 * Every node, string and annotation of one query lives in the tree's
 * arena, so adql_tree_free() is the only release there is, on every path,
 * and an abandoned parse leaks nothing.  The arena is capped: a query that
 * would need more than ADQL_ARENA_MAX bytes fails to allocate.
 *
 * The parser fills kind, location, op, flags, text, num, kids and next;
 * adql_check fills type and the resolution fields.
 */
#ifndef RIF_ADQL_AST_H
#define RIF_ADQL_AST_H

#include <stddef.h>

#define ADQL_KIDS	 6
#define ADQL_MAX_DEPTH	 200		/* node nesting a query may have */
#define ADQL_ARENA_MAX	 (16u << 20)

enum adql_kind {
	/* queries */
	ADQL_QUERY,	/* k[0] body, k[1] ORDER BY terms; num OFFSET or -1 */
	ADQL_SETOP,	/* op UNION/EXCEPT/INTERSECT; k[0], k[1] operands */
	ADQL_SELECT,	/* num TOP or -1; k: items, from, where, group,
			   having */
	ADQL_ITEM,	/* k[0] expression, k[1] alias or NULL; text the
			   output name */
	ADQL_STAR,	/* k[0] qualifier names (table, schema.table) or NULL */
	ADQL_ORDER,	/* k[0] expression; flags ADQL_DESC */
	/* FROM */
	ADQL_TABLE,	/* k[0] names (schema.table), k[1] alias or NULL */
	ADQL_DERIVED,	/* k[0] query, k[1] alias */
	ADQL_JOIN,	/* op ADQL_J*; k[0] left, k[1] right, k[2] ON,
			   k[3] USING */
	/* conditions */
	ADQL_OR,
	ADQL_AND,	/* k[0], k[1] */
	ADQL_NOT,	/* k[0] */
	ADQL_CMP,	/* op ADQL_EQ..; k[0], k[1] */
	ADQL_BETWEEN,	/* k[0] value, k[1] low, k[2] high; flags ADQL_NEG */
	ADQL_LIKE,	/* op ADQL_LIKE_CS or _CI; k[0], k[1]; flags ADQL_NEG */
	ADQL_IN,	/* k[0] value; k[1] list or k[2] query; flags
			   ADQL_NEG */
	ADQL_ISNULL,	/* k[0]; flags ADQL_NEG */
	ADQL_EXISTS,	/* k[0] query */
	/* values */
	ADQL_NUM,	/* text as written (hex converted); op ADQL_INT/REAL */
	ADQL_STR,	/* text the string's value */
	ADQL_NULL,
	ADQL_COL,	/* k[0] names, one to three (schema, table, column) */
	ADQL_FUNC,	/* text name; k[0] arguments; flags ADQL_DISTINCT,
			   ADQL_STARARG */
	ADQL_BINOP,	/* op '+' '-' '*' '/' or ADQL_CONCAT; k[0], k[1] */
	ADQL_NEG_,	/* unary minus: k[0] */
	ADQL_CAST,	/* k[0] value; text the target type, num its
			   length or -1 */
	ADQL_NAME	/* an identifier: text; flags ADQL_DELIM,
			   ADQL_RESERVED */
};

/* op values that are not single characters */
enum {
	ADQL_UNION = 256, ADQL_EXCEPT, ADQL_INTERSECT,
	ADQL_JINNER, ADQL_JLEFT, ADQL_JRIGHT, ADQL_JFULL, ADQL_JCROSS,
	ADQL_EQ, ADQL_NE, ADQL_LT, ADQL_LE, ADQL_GT, ADQL_GE,
	ADQL_LIKE_CS, ADQL_LIKE_CI,
	ADQL_INT, ADQL_REAL,
	ADQL_CONCAT
};

/* flags */
#define ADQL_DISTINCT	0x01	/* SELECT DISTINCT, COUNT(DISTINCT x) */
#define ADQL_ALL	0x02	/* UNION ALL and the like */
#define ADQL_DESC	0x04
#define ADQL_NEG	0x08	/* NOT BETWEEN, NOT LIKE, NOT IN, IS NOT NULL */
#define ADQL_NATURAL	0x10
#define ADQL_STARARG	0x20	/* COUNT(*) */
#define ADQL_DELIM	0x40	/* a "delimited" identifier */
#define ADQL_RESERVED	0x80	/* a regular identifier that is reserved */

/* What a value is, as far as the checker can tell. */
enum adql_type {
	ADQL_T_NONE,		/* not a value (a condition, a query) */
	ADQL_T_NULL,
	ADQL_T_INT,
	ADQL_T_REAL,
	ADQL_T_STR,
	ADQL_T_TIME,
	ADQL_T_POINT,
	ADQL_T_CIRCLE,
	ADQL_T_POLY		/* polygons, boxes and stored regions */
};

struct adql_rel;
struct adql_field;

struct adql_node {
	enum adql_kind		 kind;
	int			 line, col;	/* where it starts, from 1 */
	int			 op;
	unsigned		 flags;
	int			 depth;		/* its height in levels */
	long long		 num;
	const char		*text;
	struct adql_node	*k[ADQL_KIDS];
	struct adql_node	*next;
	struct adql_node	*last;		/* a list head's tail */

	/* adql_check */
	enum adql_type		 type;
	const struct adql_field	*field;		/* a column's metadata */
	struct adql_rel		*rel;		/* ADQL_COL: its FROM item */
	int			 colno;		/* and its column, or -1 */
	int			 fn;		/* ADQL_FUNC: adql_func index */
	struct adql_field	*fields;	/* ADQL_QUERY: output columns */
	int			 nfields;
};

struct adql_arena;

struct adql_tree {
	struct adql_arena	*arena;
	struct adql_node	*root;		/* an ADQL_QUERY */
};

/* An empty tree, or NULL when memory runs out. */
struct adql_tree	*adql_tree_new(void);
void			 adql_tree_free(struct adql_tree *);

/* Zeroed memory from the tree's arena, or NULL past the cap. */
void	*adql_alloc(struct adql_tree *, size_t);
/* A copy of N bytes of S plus a NUL, in the arena. */
char	*adql_strndup(struct adql_tree *, const char *s, size_t n);

/*
 * A node of KIND at LINE, COL with children K0..K3 (NULL for none); its
 * depth is one more than its deepest child's.  NULL when memory runs out
 * or the depth would pass ADQL_MAX_DEPTH (adql_tree_too_deep() tells).
 */
struct adql_node *adql_node(struct adql_tree *, enum adql_kind, int line,
	    int col, struct adql_node *k0, struct adql_node *k1,
	    struct adql_node *k2, struct adql_node *k3);
int	adql_tree_too_deep(const struct adql_tree *);

/* Append ITEM to the list headed by HEAD (NULL: ITEM starts one). */
struct adql_node *adql_append(struct adql_node *head, struct adql_node *item);
/* Recompute N's depth after a child was set by hand; -1 when too deep. */
int	adql_redepth(struct adql_tree *, struct adql_node *);

#endif
