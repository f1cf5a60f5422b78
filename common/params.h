/*
 * params: request parameters, decoded and checked against a declared table.
 *
 * An endpoint declares its parameters once, as an array of struct
 * param_rule written with designated initializers (name, type, bounds, how
 * many values, required, and a validator of its own, as kcgi's kvalid);
 * params_parse()
 * reads the query string and an application/x-www-form-urlencoded body,
 * decodes them (percent escapes, '+' as space), matches names against the
 * table case-insensitively (DALI 1.1 §3.1), converts and checks every value
 * (the type's check, then the rule's validator, which fills a typed
 * result), and keeps repeated values in the order they came.  Handlers then read
 * typed values and never parse strings themselves.  Parameters the table
 * does not name are ignored, as SCS and DALI require.
 *
 * A multipart/form-data body (RFC 7578, as TAP table uploads come) is read
 * instead by multipart.h: every part is kept as a struct param_part, and
 * each part without a filename whose data holds no NUL is also a pair, its
 * data the value as it came (no percent-decoding), so the rules see it as
 * they would a form field.  Parts count against max_params with the query
 * string's pairs.
 *
 * Everything params_parse() returns is owned by the struct params and
 * released by params_free(), but for the data of parts: that points into
 * the request's body, which the caller keeps for as long as the struct
 * params (the body of a struct request lives until its handler returns).
 */
#ifndef RIF_PARAMS_H
#define RIF_PARAMS_H

#include <stddef.h>

enum param_type {
	PARAM_STRING,	/* any text up to maxlen bytes */
	PARAM_DOUBLE,	/* finite decimal number, exponent allowed */
	PARAM_INT,	/* decimal integer */
	PARAM_BOOL	/* true/false, yes/no, 1/0, t/f, any case */
};

struct param_rule;

struct param_value {
	const char	*raw;		/* decoded text, as sent */
	double		 d;		/* PARAM_DOUBLE */
	long long	 i;		/* PARAM_INT, or a validator's number */
	int		 b;		/* PARAM_BOOL */
	const char	*s;		/* a validator's text: static, or own */
	char		*own;		/* what a validator allocated */
};

/*
 * A rule's own check of a value that passed its type's: fill the typed
 * result (V->i, V->s, with V->own for what it allocates) and return 0, or
 * return -1 with one sentence in WHY that starts with the rule's name.
 */
typedef int	(*param_valid)(const struct param_rule *,
		    struct param_value *v, char *why, size_t whysize);

/*
 * One part of a multipart/form-data body: its name, filename and
 * Content-Type are copies in the struct params; DATA points into the
 * request's body, LEN bytes of any value, NUL included, and is not
 * NUL-terminated.
 */
struct param_part {
	const char	*name;
	const char	*filename;	/* NULL when the part has none */
	const char	*content_type;	/* NULL when the part has none */
	const char	*data;
	size_t		 len;
};

struct param_rule {
	const char	*name;		/* canonical name, e.g. "RA" */
	enum param_type	 type;
	double		 min, max;	/* DOUBLE, INT: inclusive bounds */
	size_t		 maxlen;	/* STRING: longest value; 0: 1024 */
	unsigned	 max_count;	/* most values; 0: no limit */
	int		 required;
	param_valid	 valid;		/* NULL: the type's check only */
	const void	*valid_arg;	/* for the validator */
};

enum params_err {
	PARAMS_OK,
	PARAMS_ENOMEM,
	PARAMS_EBODY,		/* body larger than allowed */
	PARAMS_ECTYPE,		/* a body of a type we cannot read */
	PARAMS_ETOOMANY,	/* more parameters than allowed */
	PARAMS_EENCODING,	/* bad percent escape, or an encoded NUL */
	PARAMS_EMISSING,	/* a required parameter is absent */
	PARAMS_EREPEATED,	/* more values than max_count */
	PARAMS_EEMPTY,		/* an empty value where one is needed */
	PARAMS_ESYNTAX,		/* not a number / not a boolean */
	PARAMS_ERANGE,		/* a number outside [min, max] */
	PARAMS_ETOOLONG,	/* a string longer than maxlen */
	PARAMS_EINVALID,	/* the rule's validator refused it */
	PARAMS_EMULTIPART	/* a malformed multipart/form-data body */
};

struct params {
	const struct param_rule	*rules;
	size_t			 nrules;
	/* Values per rule, in request order: vals[k][0 .. count[k]-1]. */
	struct param_value	**vals;
	unsigned		*count;
	/* Every decoded pair, in request order (names as sent). */
	char			**names;
	char			**values;
	size_t			 npairs;
	/* A multipart/form-data body's parts, in request order. */
	struct param_part	*parts;
	size_t			 nparts;
	/* The first problem found, for params_error(). */
	enum params_err		 err;
	int			 err_rule;	/* index into rules, or -1 */
	const char		*err_value;
	char			 err_why[256];	/* EINVALID, EMULTIPART */
};

struct request;

/*
 * Decode and check the parameters of REQ against RULES.  On PARAMS_OK every
 * rule's values are filled in; otherwise P->err says what went wrong and
 * params_error() words it.  Call params_free() in either case.
 */
enum params_err	params_parse(struct params *p, const struct request *req,
		    const struct param_rule *rules, size_t nrules,
		    size_t max_params);
void		params_free(struct params *);

/* The values of rule K, and how many. */
const struct param_value *params_get(const struct params *, int k);
unsigned	params_count(const struct params *, int k);

/*
 * The first part named NAME, exactly (case counts, unlike rules); NULL
 * when there is none, as for every request without a multipart body.
 */
const struct param_part *params_part(const struct params *, const char *name);
/* How many parts there are, and part I of them, in request order. */
size_t		params_nparts(const struct params *);
const struct param_part *params_part_at(const struct params *, size_t i);

/*
 * A sentence for the failure in P, e.g. "DEC: 91 is out of range
 * [-90, 90]", written into BUF.  User text is quoted and shortened.
 */
const char	*params_error(const struct params *, char *buf, size_t size);

/*
 * The decoding and conversion steps, exposed for the parsers of other
 * values (and for tests and fuzzing).
 */
/* Decode LEN bytes of S in place ('+', %XX); -1 on a bad escape or NUL. */
int		url_decode(char *s, size_t len, size_t *outlen);
/* Whole-string, finite, no leading/trailing junk; 0 or -1. */
int		parse_double(const char *s, double *out);
int		parse_llong(const char *s, long long *out);
int		parse_bool(const char *s, int *out);

#endif
