#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap_out.h"
#include "votable.h"

#define CSV_MIME	"text/csv;header=present"
#define TSV_MIME	"text/tab-separated-values"

/* Cell K of ROW in the column's declared form, or NULL for a null. */
static const char *
cell(struct tap_writer *w, const PGresult *row, int k)
{
	if (PQgetisnull(row, 0, k))
		return NULL;
	return tap_cell_text(w->kinds[k], w->stcs[k], PQgetvalue(row, 0, k),
	    &w->cell);
}

/* --- VOTable 1.4 TABLEDATA ------------------------------------------------ */

static void
vot_head(struct tap_writer *w, const char *runid)
{
	const struct adql_field	*f;
	struct vot_field	 vf;

	xmlw_init(&w->xw, w->r);
	vot_begin(&w->xw, VOT_1_4);
	xmlw_open(&w->xw, "RESOURCE", "type", "results", NULL);
	xmlw_raw(&w->xw, "\n");
	/* The status of the result is known at its end: see vot_end(). */
	vot_info(&w->xw, "QUERY_STATUS", "OK", NULL);
	if (runid != NULL)
		vot_info(&w->xw, "RUNID", runid, NULL);
	xmlw_open(&w->xw, "TABLE", "name", "result", NULL);
	xmlw_raw(&w->xw, "\n");
	for (int i = 0; i < w->nfields; i++) {
		f = &w->fields[i];
		memset(&vf, 0, sizeof(vf));
		vf.name = f->name;
		vf.datatype = f->datatype;
		vf.arraysize = f->arraysize;
		vf.ucd = f->ucd;
		vf.unit = f->unit;
		vf.utype = f->utype;
		vf.xtype = f->xtype;
		vot_field(&w->xw, &vf);
	}
	vot_data_begin(&w->xw);
}

static void
vot_row(struct tap_writer *w, const PGresult *row)
{
	const char	*v;

	vot_tr_begin(&w->xw);
	for (int k = 0; k < w->nfields; k++) {
		v = cell(w, row, k);
		if (w->kinds[k] == CELL_TEXT)
			vot_td(&w->xw, v);
		else
			vot_td_raw(&w->xw, v);
	}
	vot_tr_end(&w->xw);
}

static void
vot_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	vot_data_end(&w->xw);
	xmlw_close(&w->xw);		/* TABLE */
	if (how == TAP_END_OVERFLOW)
		vot_info(&w->xw, "QUERY_STATUS", "OVERFLOW", "The result has "
		    "more rows than MAXREC");
	else if (how == TAP_END_ERROR)
		vot_info(&w->xw, "QUERY_STATUS", "ERROR", message);
	xmlw_close_all(&w->xw);
	resp_puts(w->r, "\n");
}

/* --- CSV (RFC 4180) and TSV ----------------------------------------------- */

/* A CSV field: quoted when it holds a separator, a quote or a line end. */
static void
csv_field(struct response *r, const char *s)
{
	const char	*q;

	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL && *s != ' ' && *s != '\0' &&
	    s[strlen(s) - 1] != ' ') {
		resp_puts(r, s);
		return;
	}
	resp_puts(r, "\"");
	while ((q = strchr(s, '"')) != NULL) {
		resp_write(r, s, (size_t)(q - s + 1));
		resp_puts(r, "\"");
		s = q + 1;
	}
	resp_puts(r, s);
	resp_puts(r, "\"");
}

/* A TSV field: tabs and line ends, which it cannot hold, become blanks. */
static void
tsv_field(struct response *r, const char *s)
{
	size_t	 n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, "\t\r\n");
		resp_write(r, s, n);
		s += n;
		if (*s != '\0') {
			resp_puts(r, " ");
			s++;
		}
	}
}

static int
is_csv(const struct tap_writer *w)
{
	return strcmp(w->out->name, "csv") == 0;
}

static void
text_head(struct tap_writer *w, const char *runid)
{
	int	 csv = is_csv(w);

	(void)runid;
	for (int i = 0; i < w->nfields; i++) {
		if (i > 0)
			resp_puts(w->r, csv ? "," : "\t");
		if (csv)
			csv_field(w->r, w->fields[i].name);
		else
			tsv_field(w->r, w->fields[i].name);
	}
	resp_puts(w->r, csv ? "\r\n" : "\n");
}

static void
text_row(struct tap_writer *w, const PGresult *row)
{
	int	 csv = is_csv(w);

	for (int k = 0; k < w->nfields; k++) {
		if (k > 0)
			resp_puts(w->r, csv ? "," : "\t");
		if (csv)
			csv_field(w->r, cell(w, row, k));
		else
			tsv_field(w->r, cell(w, row, k));
	}
	resp_puts(w->r, csv ? "\r\n" : "\n");
}

static void
text_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	(void)message;
	/* Cut short, so that the client cannot take a part for the whole. */
	if (how == TAP_END_ERROR)
		resp_abort(w->r);
}

const struct tap_out tap_outs[] = {
	{ "votable", VOT_MIME, "ivo://ivoa.net/std/TAPRegExt#output-votable-td",
	    vot_head, vot_row, vot_end },
	{ "csv", CSV_MIME, NULL, text_head, text_row, text_end },
	{ "tsv", TSV_MIME, NULL, text_head, text_row, text_end },
	{ NULL, NULL, NULL, NULL, NULL, NULL }
};

/* The media type part of S (before any ';') is TYPE, in any case. */
static int
media_is(const char *s, const char *type)
{
	size_t	 n = strcspn(s, ";");

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strlen(type) == n && strncasecmp(s, type, n) == 0;
}

/* MIME parameters after the type: none, or only these harmless ones. */
static int
text_params_ok(const char *s)
{
	const char	*p = strchr(s, ';');
	char		 one[64];
	size_t		 n;

	while (p != NULL) {
		p++;
		p += strspn(p, " \t");
		n = strcspn(p, ";");
		snprintf(one, sizeof(one), "%.*s", (int)(n < 63 ? n : 63), p);
		if (strcasecmp(one, "header=present") != 0 &&
		    strcasecmp(one, "charset=utf-8") != 0)
			return 0;
		p = strchr(p, ';');
	}
	return 1;
}

const struct tap_out *
tap_out_find(const char *format, const char **ctype)
{
	const char	*t;

	if (format == NULL || *format == '\0') {
		*ctype = VOT_MIME;
		return &tap_outs[0];
	}
	if ((t = vot_format_type(format, VOT_MIME)) != NULL) {
		*ctype = t;
		return &tap_outs[0];
	}
	if ((strcasecmp(format, "csv") == 0 || media_is(format, "text/csv")) &&
	    text_params_ok(format)) {
		*ctype = CSV_MIME;
		return &tap_outs[1];
	}
	if ((strcasecmp(format, "tsv") == 0 ||
	    media_is(format, "text/tab-separated-values")) &&
	    text_params_ok(format)) {
		*ctype = TSV_MIME;
		return &tap_outs[2];
	}
	return NULL;
}

int
tap_out_valid(const struct param_rule *r, struct param_value *v, char *why,
    size_t whysize)
{
	const char	*ctype;

	if (tap_out_find(v->raw, &ctype) != NULL)
		return 0;
	snprintf(why, whysize, "%s: this service answers in VOTable "
	    "(votable, application/x-votable+xml), CSV (csv, text/csv) or TSV "
	    "(tsv, text/tab-separated-values)", r->name);
	return -1;
}

int
tap_writer_init(struct tap_writer *w, const struct tap_out *out,
    struct response *r, const struct adql_field *fields, int nfields)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->r = r;
	w->fields = fields;
	w->nfields = nfields;
	w->kinds = calloc((size_t)nfields + 1, sizeof(*w->kinds));
	w->stcs = calloc((size_t)nfields + 1, sizeof(*w->stcs));
	if (w->kinds == NULL || w->stcs == NULL) {
		tap_writer_free(w);
		return -1;
	}
	for (int i = 0; i < nfields; i++) {
		w->kinds[i] = tap_cell_kind(&fields[i]);
		/* A geometry declared as a string is STC-S, as in ObsCore. */
		w->stcs[i] = fields[i].datatype != NULL &&
		    (strcmp(fields[i].datatype, "char") == 0 ||
		    strcmp(fields[i].datatype, "unicodeChar") == 0);
	}
	return 0;
}

void
tap_writer_free(struct tap_writer *w)
{
	free(w->kinds);
	free(w->stcs);
	strbuf_free(&w->cell);
	w->kinds = NULL;
	w->stcs = NULL;
}
