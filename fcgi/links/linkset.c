#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkset.h"
#include "votable.h"

#define DATALINK_ID	"ivo://ivoa.net/std/DataLink#links-1.1"

int
linkset_set(struct linkset *ls, char **field, const char *value)
{
	free(*field);
	*field = NULL;
	if (value == NULL)
		return 0;
	if ((*field = strdup(value)) == NULL) {
		ls->failed = 1;
		return -1;
	}
	return 0;
}

struct link_row *
linkset_row(struct linkset *ls, const char *id, const char *semantics)
{
	struct link_row	*r;

	if ((r = realloc(ls->rows, (size_t)(ls->nrows + 1) * sizeof(*r))) == NULL) {
		ls->failed = 1;
		return NULL;
	}
	ls->rows = r;
	r = &ls->rows[ls->nrows++];
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->link_authorized = -1;
	linkset_set(ls, &r->id, id);
	linkset_set(ls, &r->semantics, semantics);
	return r;
}

void
linkset_fault(struct linkset *ls, const char *id, const char *label,
    const char *text)
{
	struct link_row	*r;
	char		 msg[1024];

	/* DataLink 1.1 §3.2.4: an unknown ID gets #this with the fault. */
	if ((r = linkset_row(ls, id, "#this")) == NULL)
		return;
	snprintf(msg, sizeof(msg), "%s: %s", label, text);
	linkset_set(ls, &r->error_message, msg);
}

const char *
linkset_service(struct linkset *ls, int async, const char *url,
    const char *ivoid, const char *dataset_id)
{
	struct link_service	*s;
	char			 xml_id[32];

	s = realloc(ls->services, (size_t)(ls->nservices + 1) * sizeof(*s));
	if (s == NULL) {
		ls->failed = 1;
		return NULL;
	}
	ls->services = s;
	s = &ls->services[ls->nservices];
	memset(s, 0, sizeof(*s));
	/* XML IDs are generated, never taken from data (VOTable §3). */
	snprintf(xml_id, sizeof(xml_id), "soda%d", ls->nservices++);
	s->async = async;
	linkset_set(ls, &s->xml_id, xml_id);
	linkset_set(ls, &s->access_url, url);
	linkset_set(ls, &s->ivoid, ivoid);
	linkset_set(ls, &s->dataset_id, dataset_id);
	return s->xml_id;
}

void
linkset_truncate(struct linkset *ls, int nrows, int nservices)
{
	while (ls->nrows > nrows) {
		struct link_row *r = &ls->rows[--ls->nrows];
		free(r->id);
		free(r->access_url);
		free(r->service_def);
		free(r->error_message);
		free(r->description);
		free(r->semantics);
		free(r->content_type);
	}
	while (ls->nservices > nservices) {
		struct link_service *s = &ls->services[--ls->nservices];
		free(s->xml_id);
		free(s->access_url);
		free(s->ivoid);
		free(s->dataset_id);
	}
}

void
linkset_free(struct linkset *ls)
{
	linkset_truncate(ls, 0, 0);
	free(ls->rows);
	free(ls->services);
	memset(ls, 0, sizeof(*ls));
}

int
linkset_all_transient(const struct linkset *ls)
{
	for (int i = 0; i < ls->nrows; i++)
		if (ls->rows[i].error_message == NULL ||
		    strncmp(ls->rows[i].error_message, "TransientFault", 14) != 0)
			return 0;
	return ls->nrows > 0;
}

/* DataLink 1.1 Table 1, with link_auth/link_authorized (§3.2.11-12). */
static const struct vot_field fields[] = {
	{ "ID", "char", "*", "meta.id;meta.main", NULL, NULL, NULL, NULL, NULL,
	    "Input identifier", NULL },
	{ "access_url", "char", "*", "meta.ref.url", NULL, NULL, NULL, NULL,
	    NULL, "Link to data or documentation", NULL },
	{ "service_def", "char", "*", "meta.ref", NULL, NULL, NULL, NULL, NULL,
	    "Reference to a service descriptor resource", NULL },
	{ "error_message", "char", "*", "meta.code.error", NULL, NULL, NULL,
	    NULL, NULL, "Error if an access_url cannot be created", NULL },
	{ "description", "char", "*", "meta.note", NULL, NULL, NULL, NULL, NULL,
	    "Human-readable text describing this link", NULL },
	{ "semantics", "char", "*", "meta.code", NULL, NULL, NULL, NULL, NULL,
	    "Term from the DataLink vocabulary", NULL },
	{ "content_type", "char", "*", "meta.code.mime", NULL, NULL, NULL, NULL,
	    NULL, "Mime-type of the content the link returns", NULL },
	{ "content_length", "long", NULL, "phys.size;meta.file", "byte", NULL,
	    NULL, NULL, NULL, "Size of the download the link returns", NULL },
	{ "link_auth", "char", "*", "meta.code", NULL, NULL, NULL, NULL, NULL,
	    "Authentication: false, optional or true", NULL },
	{ "link_authorized", "boolean", NULL, "meta.code", NULL, NULL, NULL,
	    NULL, NULL, "Whether the caller is authorized for the link", NULL },
};

static void
write_row(struct xmlw *w, const struct link_row *r)
{
	char	 len[32];

	vot_tr_begin(w);
	vot_td(w, r->id);
	vot_td(w, r->access_url);
	vot_td(w, r->service_def);
	vot_td(w, r->error_message);
	vot_td(w, r->description);
	vot_td(w, r->semantics);
	vot_td(w, r->content_type);
	snprintf(len, sizeof(len), "%lld", r->content_length);
	vot_td_raw(w, r->content_length >= 0 ? len : NULL);
	vot_td(w, r->link_auth);
	vot_td_raw(w, r->link_authorized < 0 ? NULL :
	    r->link_authorized ? "true" : "false");
	vot_tr_end(w);
}

static void
write_param(struct xmlw *w, const char *name, const char *datatype,
    const char *arraysize, const char *xtype, const char *unit,
    const char *ucd, const char *value)
{
	xmlw_empty(w, "PARAM", "name", name, "datatype", datatype, "arraysize",
	    arraysize, "xtype", xtype, "unit", unit, "ucd", ucd, "value",
	    value, NULL);
	xmlw_raw(w, "\n");
}

/* SODA 1.0 §3: the parameters, with the UCDs and units clients match on. */
static void
write_service(struct xmlw *w, const struct link_service *s)
{
	xmlw_open(w, "RESOURCE", "type", "meta", "utype", "adhoc:service",
	    "ID", s->xml_id, "name", s->async ? "cutout-async" : "cutout", NULL);
	xmlw_elem(w, "DESCRIPTION", s->async ? "SODA asynchronous cutout "
	    "service" : "SODA synchronous cutout service", NULL);
	xmlw_raw(w, "\n");
	write_param(w, "standardID", "char", "*", NULL, NULL, NULL, s->async ?
	    "ivo://ivoa.net/std/SODA#async-1.0" : "ivo://ivoa.net/std/SODA#sync-1.0");
	write_param(w, "accessURL", "char", "*", NULL, NULL, NULL, s->access_url);
	if (s->ivoid != NULL)
		write_param(w, "resourceIdentifier", "char", "*", NULL, NULL, NULL,
		    s->ivoid);
	xmlw_open(w, "GROUP", "name", "inputParams", NULL);
	xmlw_raw(w, "\n");
	write_param(w, "ID", "char", "*", NULL, NULL, "meta.ref.url;meta.curation",
	    s->dataset_id);
	write_param(w, "POS", "char", "*", NULL, NULL, "pos.outline;obs", "");
	write_param(w, "CIRCLE", "double", "3", "circle", "deg", "pos.outline;obs", "");
	write_param(w, "POLYGON", "double", "*", "polygon", "deg", "pos.outline;obs", "");
	write_param(w, "BAND", "double", "2", "interval", "m", "em.wl;stat.interval", "");
	write_param(w, "TIME", "double", "2", "interval", "d",
	    "time.interval;obs.exposure", "");
	xmlw_open(w, "PARAM", "name", "POL", "datatype", "char", "arraysize", "*",
	    "ucd", "meta.code;phys.polarization", "value", "", NULL);
	xmlw_open(w, "VALUES", NULL);
	static const char *const pol[] = { "I", "Q", "U", "V", "RR", "LL", "RL",
	    "LR", "XX", "YY", "XY", "YX", "POLI", "POLA" };
	for (size_t i = 0; i < sizeof(pol) / sizeof(pol[0]); i++)
		xmlw_empty(w, "OPTION", "value", pol[i], NULL);
	xmlw_close(w);
	xmlw_close(w);
	xmlw_close(w);		/* GROUP */
	xmlw_close(w);		/* RESOURCE */
}

void
linkset_write(const struct linkset *ls, struct response *r,
    const char *content_type)
{
	struct xmlw	 w;

	resp_content_type(r, content_type);
	xmlw_init(&w, r);
	vot_begin(&w, VOT_1_4);
	xmlw_open(&w, "RESOURCE", "type", "results", NULL);
	xmlw_raw(&w, "\n");
	vot_info(&w, "QUERY_STATUS", ls->overflow ? "OVERFLOW" : "OK", NULL);
	vot_info(&w, "standardID", DATALINK_ID, NULL);
	xmlw_open(&w, "TABLE", NULL);
	xmlw_raw(&w, "\n");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		vot_field(&w, &fields[i]);
	vot_data_begin(&w);
	for (int i = 0; i < ls->nrows; i++)
		write_row(&w, &ls->rows[i]);
	vot_data_end(&w);
	xmlw_close(&w);		/* TABLE */
	xmlw_close(&w);		/* RESOURCE */
	/* Descriptors at top level, after the results: pyvo looks only there. */
	for (int i = 0; i < ls->nservices; i++)
		write_service(&w, &ls->services[i]);
	xmlw_close_all(&w);
}
