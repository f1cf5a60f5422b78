#include <stdio.h>
#include <string.h>

#include "cut.h"
#include "http.h"
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
static const struct param_rule rules[S__MAX] = {
	[S_ID] = { "ID", PARAM_STRING, 0, 0, 600, 1, 1 },
	[S_POS] = { "POS", PARAM_STRING, 0, 0, 8192, 1, 0 },
	[S_CIRCLE] = { "CIRCLE", PARAM_STRING, 0, 0, 256, 1, 0 },
	[S_POLYGON] = { "POLYGON", PARAM_STRING, 0, 0, 8192, 1, 0 },
	[S_BAND] = { "BAND", PARAM_STRING, 0, 0, 256, 1, 0 },
	[S_TIME] = { "TIME", PARAM_STRING, 0, 0, 256, 1, 0 },
	[S_POL] = { "POL", PARAM_STRING, 0, 0, 8, 0, 0 },
	[S_RESPONSEFORMAT] = { "RESPONSEFORMAT", PARAM_STRING, 0, 0, 256, 1, 0 },
	[S_CLIENT_IP] = { "client_ip_address", PARAM_STRING, 0, 0, 64, 1, 0 },
	[S_SORT] = { "sort", PARAM_STRING, 0, 0, 32, 1, 0 },
	[S_RANKING] = { "ranking", PARAM_INT, 0, 1000000, 0, 1, 0 },
};

/* The cutout parameters, in the order they are sent on. */
static const struct {
	int		 rule;
	enum soda_kind	 kind;
} cutouts[] = {
	{ S_POS, SODA_POS }, { S_CIRCLE, SODA_CIRCLE },
	{ S_POLYGON, SODA_POLYGON }, { S_BAND, SODA_BAND },
	{ S_TIME, SODA_TIME }, { S_POL, SODA_POL },
};

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
	struct strbuf			 canon = STRBUF_INIT;
	char				 err[300];
	int				 rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(cutouts) / sizeof(*cutouts);
	    i++) {
		v = params_get(&c->params, cutouts[i].rule);
		for (unsigned j = 0; rc == 0 &&
		    j < params_count(&c->params, cutouts[i].rule); j++) {
			strbuf_reset(&canon);
			if (soda_param(cutouts[i].kind, v[j].raw, &canon, err,
			    sizeof(err)) == -1)
				rc = refuse(why, 400, "UsageError", err);
			else if (add_pair(&c->query, rules[cutouts[i].rule].name,
			    strbuf_str(&canon)) == -1)
				rc = refuse(why, 500, "Error", "out of memory");
		}
	}
	strbuf_free(&canon);
	return rc;
}

/* sort, ranking, client_ip_address: as the DataLink service takes them. */
static int
read_choice(struct soda_cut *c, struct soda_refusal *why)
{
	const struct param_value	*v;

	v = params_get(&c->params, S_SORT);
	if (choose_sort_parse(v != NULL ? v->raw : NULL, &c->sort) == -1)
		return refuse(why, 400, "UsageError", "sort: not "
		    "nearest_by_client, nearest_by_ip or random");
	c->ranking = (v = params_get(&c->params, S_RANKING)) != NULL ?
	    (long)v->i : 0;
	c->client_ip = (v = params_get(&c->params, S_CLIENT_IP)) != NULL ?
	    v->raw : NULL;
	return 0;
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
	if (read_cutouts(c, why) == -1 || read_choice(c, why) == -1)
		return -1;
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

	if (form != SODA_ID_PATH ||
	    did_ivoid(&c->did, authority, id, sizeof(id)) == NULL)
		did_str(&c->did, id, sizeof(id));
	if (strbuf_printf(out, "%s%c", service_url,
	    strchr(service_url, '?') != NULL ? '&' : '?') == -1 ||
	    strbuf_add(out, "ID=", 3) == -1 || http_escape(out, id) == -1 ||
	    strbuf_add(out, strbuf_str(&c->query), c->query.len) == -1)
		return -1;
	return 0;
}
