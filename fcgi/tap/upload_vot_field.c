#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upload_vot_int.h"

/*
 * The FIELDs of upload_vot: each into a column of T, with its plan for the
 * reading of its cells, checked as soon as it opens (its attributes are
 * all there) so that the first one wrong is the one told.
 */

/* A fixed array larger than this is no column of an upload. */
#define MAX_FIXED	1000000L

static const struct {
	const char		*name;
	enum upload_kind	 kind;
	const char		*scalar, *array;	/* PostgreSQL's */
} types[] = {
	{ "boolean", UP_BOOLEAN, "boolean", "boolean[]" },
	{ "bit", UP_BIT, "boolean", NULL },
	{ "unsignedByte", UP_UBYTE, "smallint", "smallint[]" },
	{ "short", UP_SHORT, "smallint", "smallint[]" },
	{ "int", UP_INT, "integer", "integer[]" },
	{ "long", UP_LONG, "bigint", "bigint[]" },
	{ "char", UP_CHAR, "text", NULL },
	{ "unicodeChar", UP_UNICODE, "text", NULL },
	{ "float", UP_FLOAT, "real", "real[]" },
	{ "double", UP_DOUBLE, "double precision", "double precision[]" }
};

/*
 * VOTable's arraysize: dimensions joined by 'x', each a count but for the
 * last, which may also be "*" or "N*"; their number in *DIMS, the elements
 * of a fixed one in *COUNT.
 */
static int
parse_arraysize(const char *s, int *dims, long *count, int *variable)
{
	long	 n, total = 1;
	char	*end;

	*dims = 0;
	*variable = 0;
	for (;;) {
		(*dims)++;
		if (s[0] == '*' && s[1] == '\0') {
			*variable = 1;
			break;
		}
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno != 0 || n <= 0 || n > MAX_FIXED ||
		    total > MAX_FIXED / n)
			return -1;
		total *= n;
		if (*end == '*' && end[1] == '\0') {
			*variable = 1;
			break;
		}
		if (*end == '\0')
			break;
		if (*end != 'x')
			return -1;
		s = end + 1;
	}
	*count = total;
	return 0;
}

/* Room for one more column. */
static int
grow(struct up_reader *r)
{
	struct upload_table	*t = r->t;
	struct upload_column	*cols;
	struct up_col		*plans;
	int			 cap = r->capcols > 0 ? r->capcols * 2 : 16;

	if (t->ncols < r->capcols)
		return 0;
	if ((cols = realloc(t->cols, (size_t)cap * sizeof(*cols))) == NULL)
		return up_nomem(r);
	t->cols = cols;
	if ((plans = realloc(r->cols, (size_t)cap * sizeof(*plans))) == NULL)
		return up_nomem(r);
	r->cols = plans;
	r->capcols = cap;
	return 0;
}

/* Attribute ATTR of NODE, copied into *TO (NULL when absent). */
static int
copy_attr(struct up_reader *r, mxml_node_t *node, const char *attr,
    char **to)
{
	const char	*v = mxmlElementGetAttr(node, attr);

	if (v != NULL && (*to = strdup(v)) == NULL)
		return up_nomem(r);
	return 0;
}

/* The name of column K: there, short enough, alone. */
static int
check_name(struct up_reader *r, int k)
{
	const char	*name = r->t->cols[k].name;
	char		 ex[UP_EXCERPT];
	size_t		 n = name != NULL ? strlen(name) : 0;

	if (n == 0)
		return up_fail(r, "FIELD %d has no name.", k + 1);
	if (n > UPLOAD_NAME_MAX)
		return up_fail(r, "The name of FIELD %d, \"%s\", is longer "
		    "than %d bytes.", k + 1, EX(name, ex), UPLOAD_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return up_fail(r, "The name of FIELD %d, \"%s\", holds "
			    "a control character.", k + 1, EX(name, ex));
	if (!up_utf8_ok(name, n))
		return up_fail(r, "The name of FIELD %d, \"%s\", is not "
		    "UTF-8.", k + 1, EX(name, ex));
	for (int i = 0; i < k; i++)
		if (strcasecmp(r->t->cols[i].name, name) == 0)
			return up_fail(r, "FIELDs %d and %d are both named "
			    "\"%s\", ignoring case.", i + 1, k + 1,
			    EX(name, ex));
	return 0;
}

/* Column K's datatype and arraysize, into its plan and SQL type. */
static int
plan(struct up_reader *r, int k)
{
	struct upload_column	*col = &r->t->cols[k];
	struct up_col		*c = &r->cols[k];
	char			 ex[UP_EXCERPT], nm[UP_EXCERPT];
	const char		*dt = col->datatype;
	size_t			 i;
	int			 dims = 1;

	EX(col->name, nm);
	if (dt == NULL)
		return up_fail(r, "Column \"%s\" has no datatype.", nm);
	if (strcmp(dt, "floatComplex") == 0 || strcmp(dt, "doubleComplex") == 0)
		return up_fail(r, "Column \"%s\" is of datatype %s, which "
		    "uploads do not support.", nm, dt);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dt, types[i].name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0]))
		return up_fail(r, "Column \"%s\" has the datatype \"%s\", "
		    "which VOTable does not define.", nm, EX(dt, ex));
	c->kind = col->kind = types[i].kind;
	c->count = 1;
	if (col->arraysize != NULL && parse_arraysize(col->arraysize, &dims,
	    &c->count, &c->variable) == -1)
		return up_fail(r, "Column \"%s\" has the arraysize \"%s\", "
		    "which is not one of VOTable's.", nm,
		    EX(col->arraysize, ex));
	if (dims > 1)
		return up_fail(r, "Column \"%s\" has the arraysize \"%s\": "
		    "uploads take arrays of one dimension only.", nm,
		    EX(col->arraysize, ex));
	if (c->kind == UP_CHAR || c->kind == UP_UNICODE) {
		c->timestamp = col->xtype != NULL &&
		    (strcmp(col->xtype, "timestamp") == 0 ||
		    strcasecmp(col->xtype, "adql:TIMESTAMP") == 0);
		col->sqltype = c->timestamp ? "timestamp" : "text";
		return 0;
	}
	/* "1" is one number, as it is in every serialization. */
	c->array = col->arraysize != NULL && (c->variable || c->count > 1);
	if (c->kind == UP_BIT && c->array)
		return up_fail(r, "Column \"%s\" is an array of bits, which "
		    "uploads do not support.", nm);
	col->sqltype = c->array ? types[i].array : types[i].scalar;
	return 0;
}

int
up_begin_field(struct up_reader *r, mxml_node_t *node)
{
	struct upload_table	*t = r->t;
	struct upload_column	*col;
	int			 k = t->ncols;
	char			 nm[UP_EXCERPT];
	const char		*what = NULL;

	if (r->lim->max_cols > 0 && k >= r->lim->max_cols)
		return up_fail(r, "The TABLE has more than %d FIELDs.",
		    r->lim->max_cols);
	if (grow(r) == -1)
		return -1;
	col = &t->cols[k];
	memset(col, 0, sizeof(*col));
	memset(&r->cols[k], 0, sizeof(r->cols[k]));
	t->ncols++;
	if (copy_attr(r, node, "name", &col->name) == -1 ||
	    copy_attr(r, node, "datatype", &col->datatype) == -1 ||
	    copy_attr(r, node, "arraysize", &col->arraysize) == -1 ||
	    copy_attr(r, node, "xtype", &col->xtype) == -1 ||
	    copy_attr(r, node, "unit", &col->unit) == -1 ||
	    copy_attr(r, node, "ucd", &col->ucd) == -1 ||
	    copy_attr(r, node, "utype", &col->utype) == -1 ||
	    check_name(r, k) == -1)
		return -1;
	if (col->xtype != NULL && !up_utf8_ok(col->xtype, strlen(col->xtype)))
		what = "xtype";
	else if (col->unit != NULL && !up_utf8_ok(col->unit,
	    strlen(col->unit)))
		what = "unit";
	else if (col->ucd != NULL && !up_utf8_ok(col->ucd, strlen(col->ucd)))
		what = "ucd";
	else if (col->utype != NULL && !up_utf8_ok(col->utype,
	    strlen(col->utype)))
		what = "utype";
	if (what != NULL)
		return up_fail(r, "The %s of column \"%s\" is not UTF-8.", what,
		    EX(col->name, nm));
	return plan(r, k);
}
