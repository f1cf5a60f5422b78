#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "votable.h"

void
vot_begin(struct xmlw *w, enum vot_version v)
{
	/* 1.3 and 1.4 share the v1.3 namespace; there is no v1.4 one. */
	xmlw_decl(w);
	if (v == VOT_1_1)
		xmlw_open(w, "VOTABLE", "version", "1.1", "xmlns",
		    "http://www.ivoa.net/xml/VOTable/v1.1", NULL);
	else
		xmlw_open(w, "VOTABLE", "version", "1.4", "xmlns",
		    "http://www.ivoa.net/xml/VOTable/v1.3", NULL);
	xmlw_raw(w, "\n");
}

void
vot_info(struct xmlw *w, const char *name, const char *value, const char *text)
{
	xmlw_elem(w, "INFO", text, "name", name, "value", value, NULL);
	xmlw_raw(w, "\n");
}

void
vot_field(struct xmlw *w, const struct vot_field *f)
{
	xmlw_open(w, "FIELD", "name", f->name, "ID", f->id,
	    "datatype", f->datatype, "arraysize", f->arraysize,
	    "ucd", f->ucd, "unit", f->unit, "utype", f->utype,
	    "xtype", f->xtype, "ref", f->ref, NULL);
	if (f->description != NULL)
		xmlw_elem(w, "DESCRIPTION", f->description, NULL);
	if (f->null != NULL)
		xmlw_empty(w, "VALUES", "null", f->null, NULL);
	xmlw_close(w);
}

void
vot_data_begin(struct xmlw *w)
{
	xmlw_open(w, "DATA", NULL);
	xmlw_open(w, "TABLEDATA", NULL);
	xmlw_raw(w, "\n");
}

void
vot_data_end(struct xmlw *w)
{
	xmlw_close(w);
	xmlw_close(w);
}

void
vot_tr_begin(struct xmlw *w)
{
	xmlw_raw(w, "<TR>");
}

void
vot_tr_end(struct xmlw *w)
{
	xmlw_raw(w, "</TR>\n");
}

void
vot_td(struct xmlw *w, const char *s)
{
	if (s == NULL || *s == '\0') {
		xmlw_raw(w, "<TD/>");
		return;
	}
	xmlw_raw(w, "<TD>");
	xmlw_text(w, s);
	xmlw_raw(w, "</TD>");
}

void
vot_td_raw(struct xmlw *w, const char *s)
{
	if (s == NULL || *s == '\0') {
		xmlw_raw(w, "<TD/>");
		return;
	}
	xmlw_raw(w, "<TD>");
	xmlw_raw(w, s);
	xmlw_raw(w, "</TD>");
}

void
vot_td_double(struct xmlw *w, double d)
{
	char	 buf[32];

	vot_td_raw(w, vot_format_double(buf, sizeof(buf), d));
}

const char *
vot_format_double(char *buf, size_t size, double d)
{
	if (isnan(d))
		snprintf(buf, size, "NaN");
	else if (isinf(d))
		snprintf(buf, size, "%s", d > 0 ? "+Inf" : "-Inf");
	else {
		/* 15 digits are exact for most values and much easier to read. */
		snprintf(buf, size, "%.15g", d);
		if (strtod(buf, NULL) != d)
			snprintf(buf, size, "%.17g", d);
	}
	return buf;
}

const char *
vot_pg_double(const char *t)
{
	if (t[0] == 'I' && strcmp(t, "Infinity") == 0)
		return "+Inf";
	if (t[0] == '-' && t[1] == 'I' && strcmp(t, "-Infinity") == 0)
		return "-Inf";
	return t;
}

/* Compare the media type part of FORMAT (before any ';') with TYPE. */
static int
mime_is(const char *format, const char *type)
{
	size_t	 n = strcspn(format, ";");

	while (n > 0 && (format[n - 1] == ' ' || format[n - 1] == '\t'))
		n--;
	return strlen(type) == n && strncasecmp(format, type, n) == 0;
}

/* The value of MIME parameter NAME in FORMAT, copied into BUF, or NULL. */
static const char *
mime_param(const char *format, const char *name, char *buf, size_t size)
{
	const char	*p = format;
	size_t		 nlen = strlen(name), n;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == '=') {
			p += nlen + 1;
			n = strcspn(p, "; \t");
			if (n >= size)
				n = size - 1;
			memcpy(buf, p, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Is every MIME parameter of FORMAT one that holds for an answer of OWN? */
static int
params_hold(const char *format, const char *own)
{
	const char	*p = format;
	char		 name[32], value[32], mine[32];
	size_t		 n;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		p += strspn(p, " \t");
		if ((n = strcspn(p, "=;")) == 0 || n >= sizeof(name) ||
		    p[n] != '=')
			return 0;
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (mime_param(format, name, value, sizeof(value)) == NULL)
			return 0;
		if (strcasecmp(name, "serialization") == 0)
			n = strcasecmp(value, "tabledata") == 0;
		else if (strcasecmp(name, "charset") == 0)
			n = strcasecmp(value, "utf-8") == 0;
		else if (strcasecmp(name, "content") == 0)
			n = mime_param(own, "content", mine, sizeof(mine)) !=
			    NULL && strcasecmp(value, mine) == 0;
		else
			n = 0;
		if (!n)
			return 0;
	}
	return 1;
}

const char *
vot_format_type(const char *format, const char *own)
{
	if (format == NULL || *format == '\0' || mime_is(format, "votable") ||
	    mime_is(format, "votable/td"))
		return strchr(format != NULL ? format : "", ';') == NULL ? own :
		    NULL;
	if (!params_hold(format, own))
		return NULL;
	if (mime_is(format, VOT_MIME))
		return mime_is(own, VOT_MIME) ? own : VOT_MIME;
	if (mime_is(format, "text/xml"))
		return mime_is(own, "text/xml") ? own :
		    "text/xml;charset=UTF-8";
	return NULL;
}

int
vot_format_valid(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	if ((v->s = vot_format_type(v->raw, r->valid_arg)) != NULL)
		return 0;
	snprintf(why, whysize, "%s: %s", r->name, VOT_FORMAT_REFUSED);
	return -1;
}

void
vot_error(struct response *r, int status, const char *content_type,
    const char *message, int scs)
{
	struct xmlw	 w;

	resp_status(r, status);
	resp_content_type(r, content_type);
	xmlw_init(&w, r);
	vot_begin(&w, VOT_1_4);
	if (scs)
		vot_info(&w, "Error", message, NULL);
	xmlw_open(&w, "RESOURCE", "type", "results", NULL);
	xmlw_raw(&w, "\n");
	vot_info(&w, "QUERY_STATUS", "ERROR", message);
	xmlw_close_all(&w);
}
