#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "multipart.h"
#include "params.h"
#include "request.h"

#define STRING_MAXLEN_DEFAULT	1024

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_decode(char *s, size_t len, size_t *outlen)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			s[o++] = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '\0')
			return -1;
		else
			s[o++] = s[i];
	}
	s[o] = '\0';
	*outlen = o;
	return 0;
}

/* Leading and trailing blanks are allowed around numbers; nothing else. */
static const char *
trim(const char *s, size_t *len)
{
	size_t	 n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

int
parse_double(const char *str, double *out)
{
	char		 buf[128], *end;
	const char	*s;
	size_t		 n;
	int		 saved = errno;
	double		 d;

	s = trim(str, &n);
	/* Decimal notation only: strtod would also take "nan", "inf", hex. */
	if (n == 0 || n >= sizeof(buf) || strspn(s, "0123456789+-.eE") < n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	d = strtod(buf, &end);
	if (errno == ERANGE || end != buf + n || !isfinite(d)) {
		errno = saved;
		return -1;
	}
	errno = saved;
	*out = d;
	return 0;
}

int
parse_llong(const char *str, long long *out)
{
	char		 buf[64], *end;
	const char	*s;
	size_t		 n;
	int		 saved = errno;
	long long	 v;

	s = trim(str, &n);
	if (n == 0 || n >= sizeof(buf) || strspn(s, "0123456789+-") < n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno == ERANGE || end != buf + n) {
		errno = saved;
		return -1;
	}
	errno = saved;
	*out = v;
	return 0;
}

int
parse_bool(const char *str, int *out)
{
	static const char *const yes[] = { "true", "t", "yes", "y", "1", "on" };
	static const char *const no[] = { "false", "f", "no", "n", "0", "off" };
	const char	*s;
	size_t		 n, i;

	s = trim(str, &n);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0) {
			*out = 1;
			return 0;
		}
		if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int
rule_find(const struct param_rule *rules, size_t nrules, const char *name)
{
	for (size_t k = 0; k < nrules; k++)
		if (strcasecmp(rules[k].name, name) == 0)
			return (int)k;
	return -1;
}

static enum params_err
fail(struct params *p, enum params_err err, int rule, const char *value)
{
	if (p->err == PARAMS_OK) {
		p->err = err;
		p->err_rule = rule;
		p->err_value = value;
	}
	return p->err;
}

/* Split SRC (LEN bytes) on '&' into decoded name/value pairs. */
static enum params_err
split_pairs(struct params *p, const char *src, size_t len, size_t max)
{
	const char	*end = src + len, *amp, *eq;
	char		*name, *value;
	size_t		 nlen, vlen;

	while (src < end) {
		if ((amp = memchr(src, '&', (size_t)(end - src))) == NULL)
			amp = end;
		if (amp == src) {	/* "a=1&&b=2": an empty pair */
			src++;
			continue;
		}
		if (p->npairs == max)
			return fail(p, PARAMS_ETOOMANY, -1, NULL);
		if ((eq = memchr(src, '=', (size_t)(amp - src))) == NULL)
			eq = amp;
		nlen = (size_t)(eq - src);
		vlen = eq < amp ? (size_t)(amp - eq - 1) : 0;
		name = strndup(src, nlen);
		value = strndup(eq < amp ? eq + 1 : "", vlen);
		p->names[p->npairs] = name;
		p->values[p->npairs] = value;
		p->npairs++;
		if (name == NULL || value == NULL)
			return fail(p, PARAMS_ENOMEM, -1, NULL);
		if (url_decode(name, nlen, &nlen) == -1 ||
		    url_decode(value, vlen, &vlen) == -1)
			return fail(p, PARAMS_EENCODING, -1, NULL);
		src = amp + 1;
	}
	return PARAMS_OK;
}

/*
 * Keep the part MP; one without a filename whose data holds no NUL is also
 * a pair, its data taken as it came.
 */
static enum params_err
keep_part(struct params *p, const struct mp_part *mp)
{
	struct param_part	*pt = &p->parts[p->nparts++];
	char			*name, *value;

	pt->name = strdup(mp->name);
	pt->filename = mp->filename ? strdup(mp->filename) : NULL;
	pt->content_type = mp->content_type ? strdup(mp->content_type) : NULL;
	pt->data = mp->data;
	pt->len = mp->len;
	if (pt->name == NULL || (mp->filename && pt->filename == NULL) ||
	    (mp->content_type && pt->content_type == NULL))
		return fail(p, PARAMS_ENOMEM, -1, NULL);
	if (mp->filename != NULL || memchr(mp->data, '\0', mp->len) != NULL)
		return PARAMS_OK;
	name = strdup(mp->name);
	value = strndup(mp->data, mp->len);
	p->names[p->npairs] = name;
	p->values[p->npairs] = value;
	p->npairs++;
	if (name == NULL || value == NULL)
		return fail(p, PARAMS_ENOMEM, -1, NULL);
	return PARAMS_OK;
}

/*
 * The parts of the multipart/form-data body of REQ, as many as MAX leaves
 * room for after the query string's pairs.
 */
static enum params_err
split_parts(struct params *p, const struct request *req, size_t max)
{
	struct mp_reader	 r;
	struct mp_part		 mp;
	size_t			 room = max - p->npairs;
	int			 rc;

	if ((p->parts = calloc(room ? room : 1, sizeof(*p->parts))) == NULL)
		return fail(p, PARAMS_ENOMEM, -1, NULL);
	/* One part more than there is room for: too many is ours to refuse. */
	rc = mp_open(&r, req->content_type, req->body, req->body_len, room + 1);
	while (rc == 0 && (rc = mp_next(&r, &mp)) == 1) {
		if (p->nparts == room)
			return fail(p, PARAMS_ETOOMANY, -1, NULL);
		if (keep_part(p, &mp) != PARAMS_OK)
			return p->err;
		rc = 0;
	}
	if (rc == -1) {
		snprintf(p->err_why, sizeof(p->err_why), "%s", r.why);
		return fail(p, PARAMS_EMULTIPART, -1, NULL);
	}
	return PARAMS_OK;
}

static int
body_is_form(const char *ctype)
{
	static const char form[] = "application/x-www-form-urlencoded";

	return strncasecmp(ctype, form, sizeof(form) - 1) == 0 &&
	    (ctype[sizeof(form) - 1] == '\0' || ctype[sizeof(form) - 1] == ';' ||
	    ctype[sizeof(form) - 1] == ' ');
}

static enum params_err
convert(struct params *p, int k, struct param_value *v)
{
	const struct param_rule	*r = &p->rules[k];
	size_t			 maxlen;
	double			 x = 0;

	switch (r->type) {
	case PARAM_STRING:
		maxlen = r->maxlen ? r->maxlen : STRING_MAXLEN_DEFAULT;
		if (strlen(v->raw) > maxlen)
			return fail(p, PARAMS_ETOOLONG, k, v->raw);
		return PARAMS_OK;
	case PARAM_BOOL:
		if (v->raw[0] == '\0')
			return fail(p, PARAMS_EEMPTY, k, v->raw);
		if (parse_bool(v->raw, &v->b) == -1)
			return fail(p, PARAMS_ESYNTAX, k, v->raw);
		return PARAMS_OK;
	case PARAM_INT:
		if (v->raw[0] == '\0')
			return fail(p, PARAMS_EEMPTY, k, v->raw);
		if (parse_llong(v->raw, &v->i) == -1)
			return fail(p, PARAMS_ESYNTAX, k, v->raw);
		x = (double)v->i;
		break;
	case PARAM_DOUBLE:
		if (v->raw[0] == '\0')
			return fail(p, PARAMS_EEMPTY, k, v->raw);
		if (parse_double(v->raw, &v->d) == -1)
			return fail(p, PARAMS_ESYNTAX, k, v->raw);
		x = v->d;
		break;
	}
	if (x < r->min || x > r->max)
		return fail(p, PARAMS_ERANGE, k, v->raw);
	return PARAMS_OK;
}

/* The type's check, then the rule's own. */
static enum params_err
check(struct params *p, int k, struct param_value *v)
{
	const struct param_rule	*r = &p->rules[k];

	if (convert(p, k, v) != PARAMS_OK)
		return p->err;
	if (r->valid != NULL &&
	    r->valid(r, v, p->err_why, sizeof(p->err_why)) == -1)
		return fail(p, PARAMS_EINVALID, k, v->raw);
	return PARAMS_OK;
}

/* Sort the decoded pairs into the rules' value lists and check them. */
static enum params_err
assign(struct params *p)
{
	struct param_value	*v;
	size_t			 i;
	int			 k;

	for (i = 0; i < p->npairs; i++)
		if ((k = rule_find(p->rules, p->nrules, p->names[i])) >= 0)
			p->count[k]++;
	for (k = 0; k < (int)p->nrules; k++) {
		if (p->count[k] == 0)
			continue;
		if (p->rules[k].max_count && p->count[k] > p->rules[k].max_count)
			return fail(p, PARAMS_EREPEATED, k, NULL);
		if ((p->vals[k] = calloc(p->count[k], sizeof(**p->vals))) == NULL)
			return fail(p, PARAMS_ENOMEM, -1, NULL);
		p->count[k] = 0;
	}
	for (i = 0; i < p->npairs; i++) {
		if ((k = rule_find(p->rules, p->nrules, p->names[i])) < 0)
			continue;
		v = &p->vals[k][p->count[k]++];
		v->raw = p->values[i];
		if (check(p, k, v) != PARAMS_OK)
			return p->err;
	}
	for (k = 0; k < (int)p->nrules; k++)
		if (p->rules[k].required && p->count[k] == 0)
			return fail(p, PARAMS_EMISSING, k, NULL);
	return PARAMS_OK;
}

enum params_err
params_parse(struct params *p, const struct request *req,
    const struct param_rule *rules, size_t nrules, size_t max_params)
{
	memset(p, 0, sizeof(*p));
	p->rules = rules;
	p->nrules = nrules;
	p->err_rule = -1;
	p->vals = calloc(nrules ? nrules : 1, sizeof(*p->vals));
	p->count = calloc(nrules ? nrules : 1, sizeof(*p->count));
	p->names = calloc(max_params ? max_params : 1, sizeof(*p->names));
	p->values = calloc(max_params ? max_params : 1, sizeof(*p->values));
	if (!p->vals || !p->count || !p->names || !p->values)
		return fail(p, PARAMS_ENOMEM, -1, NULL);
	if (req->body_too_large)
		return fail(p, PARAMS_EBODY, -1, NULL);
	if (split_pairs(p, req->query, strlen(req->query), max_params))
		return p->err;
	if (req->body_len > 0 && mp_is_form_data(req->content_type)) {
		if (split_parts(p, req, max_params))
			return p->err;
	} else if (req->body_len > 0) {
		if (!body_is_form(req->content_type))
			return fail(p, PARAMS_ECTYPE, -1, NULL);
		if (split_pairs(p, req->body, req->body_len, max_params))
			return p->err;
	}
	return assign(p);
}

void
params_free(struct params *p)
{
	size_t	 i;

	for (i = 0; i < p->npairs; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	for (i = 0; i < p->nparts; i++) {
		free((char *)p->parts[i].name);
		free((char *)p->parts[i].filename);
		free((char *)p->parts[i].content_type);
	}
	free(p->parts);
	for (i = 0; p->vals != NULL && i < p->nrules; i++) {
		for (unsigned j = 0; p->vals[i] != NULL && j < p->count[i]; j++)
			free(p->vals[i][j].own);
		free(p->vals[i]);
	}
	free(p->vals);
	free(p->count);
	free(p->names);
	free(p->values);
	memset(p, 0, sizeof(*p));
}

const struct param_value *
params_get(const struct params *p, int k)
{
	return p->count[k] ? p->vals[k] : NULL;
}

unsigned
params_count(const struct params *p, int k)
{
	return p->count[k];
}

const struct param_part *
params_part(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].name != NULL &&
		    strcmp(p->parts[i].name, name) == 0)
			return &p->parts[i];
	return NULL;
}

size_t
params_nparts(const struct params *p)
{
	return p->nparts;
}

const struct param_part *
params_part_at(const struct params *p, size_t i)
{
	return i < p->nparts ? &p->parts[i] : NULL;
}

/* Copy S into BUF for a message: at most 40 bytes, with "..." if cut. */
static const char *
shorten(const char *s, char *buf, size_t size)
{
	size_t	 n = strlen(s);

	if (n <= 40 && n < size) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	snprintf(buf, size, "%.37s...", s);
	return buf;
}

const char *
params_error(const struct params *p, char *buf, size_t size)
{
	const struct param_rule	*r = p->err_rule >= 0 ? &p->rules[p->err_rule] :
				    NULL;
	const char		*name = r ? r->name : "";
	char			 val[48];

	if (p->err_value != NULL)
		shorten(p->err_value, val, sizeof(val));
	switch (p->err) {
	case PARAMS_OK:
		snprintf(buf, size, "no error");
		break;
	case PARAMS_ENOMEM:
		snprintf(buf, size, "out of memory");
		break;
	case PARAMS_EBODY:
		snprintf(buf, size, "request body too large");
		break;
	case PARAMS_ECTYPE:
		snprintf(buf, size, "request body must be "
		    "application/x-www-form-urlencoded or multipart/form-data");
		break;
	case PARAMS_ETOOMANY:
		snprintf(buf, size, "too many parameters");
		break;
	case PARAMS_EENCODING:
		snprintf(buf, size, "malformed percent-encoding in the request");
		break;
	case PARAMS_EMISSING:
		snprintf(buf, size, "%s: missing", name);
		break;
	case PARAMS_EREPEATED:
		if (r->max_count == 1)
			snprintf(buf, size, "%s: given %u times; it takes one "
			    "value", name, p->count[p->err_rule]);
		else
			snprintf(buf, size, "%s: given %u times; at most %u "
			    "values", name, p->count[p->err_rule], r->max_count);
		break;
	case PARAMS_EEMPTY:
		snprintf(buf, size, "%s: empty value", name);
		break;
	case PARAMS_ESYNTAX:
		snprintf(buf, size, "%s: '%s' is not %s", name, val,
		    r->type == PARAM_BOOL ? "true or false" :
		    r->type == PARAM_INT ? "an integer" : "a decimal number");
		break;
	case PARAMS_ERANGE:
		snprintf(buf, size, "%s: %s is out of range [%g, %g]", name,
		    val, r->min, r->max);
		break;
	case PARAMS_ETOOLONG:
		snprintf(buf, size, "%s: value longer than %zu bytes", name,
		    r->maxlen ? r->maxlen : (size_t)STRING_MAXLEN_DEFAULT);
		break;
	case PARAMS_EINVALID:
	case PARAMS_EMULTIPART:
		snprintf(buf, size, "%s", p->err_why);
		break;
	}
	return buf;
}
