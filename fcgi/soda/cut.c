#include <stdio.h>
#include <string.h>

#include "cut.h"
#include "http.h"
#include "replica_params.h"
#include "soda_params.h"

enum {
	S_ID,
	S_POS,
	S_CIRCLE,
	S_POLYGON,
	S_BAND,
	S_TIME,
	S_POL,
	S_RESPONSEFORMAT,
	S_CLIENT_IP,
	S_SORT,
	S_RANKING,
	S__MAX
};

/*
 * SODA 1.0 §3: POL must accept repeats; the other cutout parameters are
 * taken once, since a sync answer has no way to carry several cutouts.
 */
/*
 * A cutout parameter in its canonical form (v->s, owned by the value), as
 * it is sent on; the rule's valid_arg is its enum soda_kind.
 */
static int
valid_cutout(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	struct strbuf	 canon = STRBUF_INIT;

	if (soda_param(*(const enum soda_kind *)r->valid_arg, v->raw, &canon,
	    why, whysize) == -1) {
		strbuf_free(&canon);
		return -1;
	}
	if ((v->s = v->own = strbuf_detach(&canon)) == NULL) {
		snprintf(why, whysize, "%s: out of memory", r->name);
		return -1;
	}
	return 0;
}

static const enum soda_kind kinds[] = { SODA_POS, SODA_CIRCLE, SODA_POLYGON,
	SODA_BAND, SODA_TIME, SODA_POL };

#define CUTOUT(n, k, len, most)	{ .name = (n), .type = PARAM_STRING,	\
	.maxlen = (len), .max_count = (most), .valid = valid_cutout,	\
	.valid_arg = &kinds[k] }

static const struct param_rule rules[S__MAX] = {
	[S_ID] = RULE_ID(1, 1),
	[S_POS] = CUTOUT("POS", 0, 8192, 1),
	[S_CIRCLE] = CUTOUT("CIRCLE", 1, 256, 1),
	[S_POLYGON] = CUTOUT("POLYGON", 2, 8192, 1),
	[S_BAND] = CUTOUT("BAND", 3, 256, 1),
	[S_TIME] = CUTOUT("TIME", 4, 256, 1),
	[S_POL] = CUTOUT("POL", 5, 8, 0),
	[S_RESPONSEFORMAT] = RULE_RESPONSEFORMAT,
	[S_CLIENT_IP] = RULE_CLIENT_IP,
	[S_SORT] = RULE_SORT,
	[S_RANKING] = RULE_RANKING,
};

/* The cutout parameters, in the order they are sent on. */
static const int cutouts[] = { S_POS, S_CIRCLE, S_POLYGON, S_BAND, S_TIME,
	S_POL };

static int
refuse(struct soda_refusal *why, int status, const char *label,
    const char *text)
{
	why->status = status;
	snprintf(why->text, sizeof(why->text), "%s: %s", label, text);
	return -1;
}

/* name=value, percent-encoded, after a '&'. */
static int
add_pair(struct strbuf *q, const char *name, const char *value)
{
	return strbuf_printf(q, "&%s=", name) == -1 ||
	    http_escape(q, value) == -1 ? -1 : 0;
}

static int
read_cutouts(struct soda_cut *c, struct soda_refusal *why)
{
	const struct param_value	*v;
	int				 k;

	for (size_t i = 0; i < sizeof(cutouts) / sizeof(*cutouts); i++) {
		k = cutouts[i];
		v = params_get(&c->params, k);
		for (unsigned j = 0; j < params_count(&c->params, k); j++)
			if (add_pair(&c->query, rules[k].name, v[j].s) == -1)
				return refuse(why, 500, "Error",
				    "out of memory");
	}
	return 0;
}

/* sort, ranking, client_ip_address: as the DataLink service takes them. */
static void
read_choice(struct soda_cut *c)
{
	const struct param_value	*v;

	c->sort = (v = params_get(&c->params, S_SORT)) != NULL ?
	    (enum choose_sort)v->i : CHOOSE_NEAREST;
	c->ranking = (v = params_get(&c->params, S_RANKING)) != NULL ?
	    (long)v->i : 0;
	c->client_ip = (v = params_get(&c->params, S_CLIENT_IP)) != NULL ?
	    v->raw : NULL;
}

int
soda_cut_parse(struct soda_cut *c, const struct request *req,
    size_t max_params, struct soda_refusal *why)
{
	const struct param_value	*v;
	char				 err[300], idwhy[256];

	memset(c, 0, sizeof(*c));
	switch (params_parse(&c->params, req, rules, S__MAX, max_params)) {
	case PARAMS_OK:
		break;
	case PARAMS_EREPEATED:
		return refuse(why, 400, "MultiValuedParamNotSupported",
		    params_error(&c->params, err, sizeof(err)));
	case PARAMS_EBODY:
		return refuse(why, 413, "UsageError",
		    params_error(&c->params, err, sizeof(err)));
	case PARAMS_ENOMEM:
		return refuse(why, 500, "Error", "out of memory");
	default:
		return refuse(why, 400, "UsageError",
		    params_error(&c->params, err, sizeof(err)));
	}
	v = params_get(&c->params, S_ID);
	if (did_parse_id(v->raw, &c->did, idwhy, sizeof(idwhy)) == -1) {
		snprintf(err, sizeof(err), "ID: %s", idwhy);
		return refuse(why, 400, "UsageError", err);
	}
	if (read_cutouts(c, why) == -1)
		return -1;
	read_choice(c);
	if ((v = params_get(&c->params, S_RESPONSEFORMAT)) != NULL &&
	    add_pair(&c->query, "RESPONSEFORMAT", v->raw) == -1)
		return refuse(why, 500, "Error", "out of memory");
	return 0;
}

void
soda_cut_free(struct soda_cut *c)
{
	strbuf_free(&c->query);
	params_free(&c->params);
}

int
soda_cut_url(const struct soda_cut *c, const char *service_url,
    enum soda_id_form form, const char *authority, struct strbuf *out)
{
	char	 id[DID_STR_MAX + 400];

	if (form != ID_FORM_PATH ||
	    did_ivoid(&c->did, authority, id, sizeof(id)) == NULL)
		did_str(&c->did, id, sizeof(id));
	if (strbuf_printf(out, "%s%c", service_url,
	    strchr(service_url, '?') != NULL ? '&' : '?') == -1 ||
	    strbuf_add(out, "ID=", 3) == -1 || http_escape(out, id) == -1 ||
	    strbuf_add(out, strbuf_str(&c->query), c->query.len) == -1)
		return -1;
	return 0;
}
