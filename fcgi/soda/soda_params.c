#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "params.h"
#include "soda_params.h"
#include "votable.h"

#define NUMS_MAX	2000	/* a polygon of 1000 vertices */

/*
 * A number of a DALI value: decimal, or an infinity where INF_OK (pyvo
 * writes "inf"/"-inf"; DALI writes "+Inf"/"-Inf").
 */
static int
number(const char *tok, int inf_ok, double *out)
{
	const char	*t = tok;
	int		 sign = 1;

	if (parse_double(tok, out) == 0)
		return 0;
	if (*t == '+' || *t == '-')
		sign = *t++ == '-' ? -1 : 1;
	if (inf_ok && (strcasecmp(t, "inf") == 0 || strcasecmp(t, "infinity") == 0)) {
		*out = sign * INFINITY;
		return 0;
	}
	return -1;
}

/* Split S on blanks into numbers; returns how many, or -1 (ERR set). */
static int
numbers(const char *s, int inf_ok, double *v, int max, const char *what,
    char *err, size_t errsize)
{
	char	*copy = strdup(s), *tok, *save;
	int	 n = 0;

	if (copy == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (tok = strtok_r(copy, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (n == max || number(tok, inf_ok, &v[n]) == -1) {
			snprintf(err, errsize, n == max ? "%s: too many values" :
			    "%s: '%.32s' is not a number", what, tok);
			free(copy);
			return -1;
		}
		n++;
	}
	free(copy);
	return n;
}

static int
lonlat_ok(double lon, double lat)
{
	return lon >= 0 && lon <= 360 && lat >= -90 && lat <= 90;
}

/* The numbers, blank-separated; LEAD: a blank before the first too. */
static void
put(struct strbuf *out, const double *v, int n, int lead)
{
	char	 buf[32];

	for (int i = 0; i < n; i++) {
		if (i > 0 || lead)
			strbuf_puts(out, " ");
		strbuf_puts(out, vot_format_double(buf, sizeof(buf), v[i]));
	}
}

static int
circle(const double *v, int n, const char *what, char *err, size_t errsize)
{
	if (n != 3) {
		snprintf(err, errsize, "%s: a circle is lon lat radius", what);
		return -1;
	}
	if (!lonlat_ok(v[0], v[1]) || !(v[2] > 0 && v[2] <= 180)) {
		snprintf(err, errsize, "%s: centre must be in [0, 360] x [-90, 90] "
		    "and the radius in (0, 180] degrees", what);
		return -1;
	}
	return 0;
}

static int
polygon(const double *v, int n, const char *what, char *err, size_t errsize)
{
	if (n < 6 || n % 2 != 0) {
		snprintf(err, errsize, "%s: a polygon is at least 3 lon lat pairs",
		    what);
		return -1;
	}
	for (int i = 0; i < n; i += 2)
		if (!lonlat_ok(v[i], v[i + 1])) {
			snprintf(err, errsize, "%s: vertex %d is outside "
			    "[0, 360] x [-90, 90]", what, i / 2 + 1);
			return -1;
		}
	return 0;
}

static int
interval(const double *v, int n, const char *what, char *err, size_t errsize)
{
	if (n != 2 || isnan(v[0]) || isnan(v[1]) || v[0] > v[1]) {
		snprintf(err, errsize, "%s: an interval is two numbers, low high",
		    what);
		return -1;
	}
	return 0;
}

/* Infinite bounds (SODA §3.3) mean "no limit" in that direction. */
static int
range(const double *v, int n, char *err, size_t errsize)
{
	if (n != 4 || interval(v, 2, "POS", err, errsize) == -1 ||
	    interval(v + 2, 2, "POS", err, errsize) == -1 ||
	    (v[0] < 0 && !isinf(v[0])) || (v[1] > 360 && !isinf(v[1])) ||
	    (v[2] < -90 && !isinf(v[2])) || (v[3] > 90 && !isinf(v[3]))) {
		snprintf(err, errsize, "POS: RANGE is lon1 lon2 lat1 lat2 within "
		    "[0, 360] and [-90, 90], low before high");
		return -1;
	}
	return 0;
}

static int
pos(const char *value, struct strbuf *out, double *v, char *err, size_t errsize)
{
	static const char *const shapes[] = { "CIRCLE", "RANGE", "POLYGON" };
	size_t	 len = strcspn(value, " \t");
	int	 k, n, rc;

	for (k = 0; k < 3; k++)
		if (strlen(shapes[k]) == len && strncasecmp(value, shapes[k], len) == 0)
			break;
	if (k == 3) {
		snprintf(err, errsize, "POS: must start with CIRCLE, RANGE or POLYGON");
		return -1;
	}
	if ((n = numbers(value + len, k == 1, v, NUMS_MAX, "POS", err,
	    errsize)) == -1)
		return -1;
	rc = k == 0 ? circle(v, n, "POS", err, errsize) :
	    k == 1 ? range(v, n, err, errsize) : polygon(v, n, "POS", err, errsize);
	if (rc == 0) {
		strbuf_puts(out, shapes[k]);
		put(out, v, n, 1);
	}
	return rc;
}

static int
pol(const char *value, struct strbuf *out, char *err, size_t errsize)
{
	static const char *const states[] = { "I", "Q", "U", "V", "RR", "LL",
	    "RL", "LR", "XX", "YY", "XY", "YX", "POLI", "POLA" };

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(value, states[i]) == 0) {
			strbuf_puts(out, states[i]);
			return 0;
		}
	snprintf(err, errsize, "POL: '%.16s' is not a polarization state "
	    "(I Q U V RR LL RL LR XX YY XY YX POLI POLA)", value);
	return -1;
}

int
soda_param(enum soda_kind kind, const char *value, struct strbuf *out,
    char *err, size_t errsize)
{
	double	*v;
	int	 n, rc = -1;

	if (kind == SODA_POL)
		return pol(value, out, err, errsize);
	if ((v = calloc(NUMS_MAX, sizeof(*v))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	if (kind == SODA_POS)
		rc = pos(value, out, v, err, errsize);
	else if ((n = numbers(value, kind == SODA_BAND || kind == SODA_TIME, v,
	    NUMS_MAX, kind == SODA_CIRCLE ? "CIRCLE" : kind == SODA_POLYGON ?
	    "POLYGON" : kind == SODA_BAND ? "BAND" : "TIME", err, errsize)) >= 0) {
		rc = kind == SODA_CIRCLE ? circle(v, n, "CIRCLE", err, errsize) :
		    kind == SODA_POLYGON ? polygon(v, n, "POLYGON", err, errsize) :
		    interval(v, n, kind == SODA_BAND ? "BAND" : "TIME", err,
		    errsize);
		if (rc == 0)
			put(out, v, n, 0);
	}
	free(v);
	return rc;
}
