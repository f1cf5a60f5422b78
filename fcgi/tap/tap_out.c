#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap_out.h"
#include "votable.h"

#define CSV_MIME	"text/csv;header=present"
#define TSV_MIME	"text/tab-separated-values"
#define B2_MIME		VOT_MIME ";serialization=BINARY2"

/* Cell K of ROW in the column's declared form, or NULL for a null. */
static const char *
cell(struct tap_writer *w, const PGresult *row, int k)
{
	if (PQgetisnull(row, 0, k))
		return NULL;
	return tap_cell_text(w->kinds[k], w->stcs[k], PQgetvalue(row, 0, k),
	    &w->cell);
}

/* --- VOTable 1.4: TABLEDATA and BINARY2 ---------------------------------- */

/* What every VOTable answer has before its DATA, whatever the serialization. */
static void
vot_table_head(struct tap_writer *w, const char *runid)
{
	const struct adql_field	*f;
	struct vot_field	 vf;

	xmlw_init(&w->xw, w->r);
	vot_begin(&w->xw, VOT_1_4);
	xmlw_open(&w->xw, "RESOURCE", "type", "results", NULL);
	xmlw_raw(&w->xw, "\n");
	/* The status of the result is known at its end: see vot_table_end(). */
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
		vf.arraysize = w->b2.cols == NULL ? f->arraysize :
		    tap_b2_arraysize(&w->b2.cols[i], f->arraysize);
		vf.ucd = f->ucd;
		vf.unit = f->unit;
		vf.utype = f->utype;
		vf.xtype = f->xtype;
		vot_field(&w->xw, &vf);
	}
}

/* What follows the DATA: how the result ended, after the table. */
static void
vot_table_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	xmlw_close(&w->xw);		/* TABLE */
	if (how == TAP_END_OVERFLOW)
		vot_info(&w->xw, "QUERY_STATUS", "OVERFLOW", "The result has "
		    "more rows than MAXREC");
	else if (how == TAP_END_ERROR)
		vot_info(&w->xw, "QUERY_STATUS", "ERROR", message);
	xmlw_close_all(&w->xw);
	resp_puts(w->r, "\n");
}

static void
td_head(struct tap_writer *w, const char *runid)
{
	vot_table_head(w, runid);
	vot_data_begin(&w->xw);
}

static int
td_row(struct tap_writer *w, const PGresult *row)
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
	return 0;
}

static void
td_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	vot_data_end(&w->xw);
	vot_table_end(w, how, message);
}

static void
b2_head(struct tap_writer *w, const char *runid)
{
	vot_table_head(w, runid);
	xmlw_open(&w->xw, "DATA", NULL);
	xmlw_open(&w->xw, "BINARY2", NULL);
	xmlw_open(&w->xw, "STREAM", "encoding", "base64", NULL);
	xmlw_raw(&w->xw, "\n");
}

/* Why cell K of the row could not be written. */
static void
b2_refused(struct tap_writer *w, int k)
{
	const struct adql_field	*f = &w->fields[k];

	snprintf(w->why, sizeof(w->why), "Row %ld: the value of %s is not of "
	    "its declared datatype, %s%s%s, and cannot be written in BINARY2 "
	    "(TABLEDATA can carry it)", w->nrows + 1, f->name, f->datatype,
	    f->arraysize != NULL ? " with arraysize " : "",
	    f->arraysize != NULL ? f->arraysize : "");
}

static int
b2_row(struct tap_writer *w, const PGresult *row)
{
	if (tap_b2_row_begin(&w->b2) == -1) {
		snprintf(w->why, sizeof(w->why), "Out of memory");
		return -1;
	}
	for (int k = 0; k < w->nfields; k++)
		if (tap_b2_cell(&w->b2, k, cell(w, row, k)) == -1) {
			b2_refused(w, k);
			return -1;
		}
	tap_b2_row_end(&w->b2);
	return 0;
}

/* Cell K of a row of the COPY, as its column comes. */
static int
b2_copy_cell(struct tap_writer *w, const struct tap_b2pg_row *row, int k)
{
	const char	*v = row->v[k];
	long long	 i;
	double		 d;

	if (v == NULL)
		return tap_b2_cell(&w->b2, k, NULL);
	switch (row->how[k]) {
	case B2PG_INT:
		return tap_b2pg_int(v, row->len[k], &i) == -1 ? -1 :
		    tap_b2_cell_int(&w->b2, k, i);
	case B2PG_REAL:
		return tap_b2pg_real(v, row->len[k], &d) == -1 ? -1 :
		    tap_b2_cell_real(&w->b2, k, d);
	default:
		return tap_b2_cell(&w->b2, k, tap_cell_text(w->kinds[k],
		    w->stcs[k], v, &w->cell));
	}
}

static int
b2_copy_row(struct tap_writer *w, const struct tap_b2pg_row *row)
{
	if (tap_b2_row_begin(&w->b2) == -1) {
		snprintf(w->why, sizeof(w->why), "Out of memory");
		return -1;
	}
	for (int k = 0; k < w->nfields; k++)
		if (b2_copy_cell(w, row, k) == -1) {
			b2_refused(w, k);
			return -1;
		}
	tap_b2_row_end(&w->b2);
	return 0;
}

static void
b2_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	tap_b2_finish(&w->b2);
	xmlw_close(&w->xw);		/* STREAM */
	xmlw_close(&w->xw);		/* BINARY2 */
	xmlw_close(&w->xw);		/* DATA */
	vot_table_end(w, how, message);
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

static int
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
	return 0;
}

static void
text_end(struct tap_writer *w, enum tap_end how, const char *message)
{
	(void)message;
	/* Cut short, so that the client cannot take a part for the whole. */
	if (how == TAP_END_ERROR)
		resp_abort(w->r);
}

/* The media type part of S (before any ';') is TYPE, in any case. */
static int
media_is(const char *s, const char *type)
{
	size_t	 n = strcspn(s, ";");

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strlen(type) == n && strncasecmp(s, type, n) == 0;
}

/*
 * The MIME parameters of S are all among OK ("name=value", NULL-ended,
 * compared in any case), and the first of OK is there when NEED is set.
 */
static int
params_among(const char *s, const char *const *ok, int need)
{
	const char	*p = strchr(s, ';');
	const char *const *o;
	char		 one[64];
	size_t		 n;
	int		 first = 0;

	for (; p != NULL; p = strchr(p, ';')) {
		p++;
		p += strspn(p, " \t");
		n = strcspn(p, ";");
		snprintf(one, sizeof(one), "%.*s", (int)(n < 63 ? n : 63), p);
		for (o = ok; *o != NULL && strcasecmp(one, *o) != 0; o++)
			;
		if (*o == NULL)
			return 0;
		first |= o == ok;
	}
	return first || !need;
}

/* An alias ALIAS, which has no parameters, or media type MIME with OK's. */
static int
named(const char *format, const char *alias, const char *mime,
    const char *const *ok, int need)
{
	return strcasecmp(format, alias) == 0 ||
	    (media_is(format, mime) && params_among(format, ok, need));
}

static const char *
td_match(const char *format)
{
	return vot_format_type(format, VOT_MIME);
}

static const char *const b2_params[] = { "serialization=binary2",
	"charset=utf-8", NULL };
static const char *const text_params[] = { "header=present",
	"charset=utf-8", NULL };

static const char *
b2_match(const char *format)
{
	return named(format, "votable/b2", VOT_MIME, b2_params, 1) ? B2_MIME :
	    NULL;
}

static const char *
csv_match(const char *format)
{
	return named(format, "csv", "text/csv", text_params, 0) ? CSV_MIME :
	    NULL;
}

static const char *
tsv_match(const char *format)
{
	return named(format, "tsv", TSV_MIME, text_params, 0) ? TSV_MIME :
	    NULL;
}

static int
b2_init(struct tap_writer *w)
{
	return tap_b2_init(&w->b2, w->fields, w->nfields, w->r, w->why,
	    sizeof(w->why));
}

const struct tap_out tap_outs[] = {
	{ "votable", VOT_MIME, "ivo://ivoa.net/std/TAPRegExt#output-votable-td",
	    td_match, NULL, td_head, td_row, NULL, td_end },
	{ "votable/b2", B2_MIME,
	    "ivo://ivoa.net/std/TAPRegExt#output-votable-binary2",
	    b2_match, b2_init, b2_head, b2_row, b2_copy_row, b2_end },
	{ "csv", CSV_MIME, NULL, csv_match, NULL, text_head, text_row, NULL,
	    text_end },
	{ "tsv", TSV_MIME, NULL, tsv_match, NULL, text_head, text_row, NULL,
	    text_end },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL }
};

const struct tap_out *
tap_out_find(const char *format, const char **ctype)
{
	const struct tap_out	*o;

	for (o = tap_outs; o->name != NULL; o++)
		if ((*ctype = o->match(format != NULL ? format : "")) != NULL)
			return o;
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
	    "(votable, application/x-votable+xml), VOTable BINARY2 "
	    "(votable/b2, application/x-votable+xml;serialization=BINARY2), "
	    "CSV (csv, text/csv) or TSV (tsv, text/tab-separated-values)",
	    r->name);
	return -1;
}

/*
 * A result is written a cell at a time, in pieces of a few bytes; they
 * gather in the writer and reach the client BATCH bytes at a time, which
 * the FastCGI loop sends as one record instead of a call per piece.
 */
#define BATCH	65536

static int
batch_flush(struct tap_writer *w)
{
	int	 rc = resp_write(w->client, w->pending.s, w->pending.len);

	strbuf_reset(&w->pending);
	return rc;
}

static int
batch_sink(void *ctx, const void *buf, size_t len)
{
	struct tap_writer	*w = ctx;

	if (strbuf_add(&w->pending, buf, len) == -1)
		return -1;
	return w->pending.len >= BATCH ? batch_flush(w) : 0;
}

int
tap_writer_init(struct tap_writer *w, const struct tap_out *out,
    struct response *r, const struct adql_field *fields, int nfields)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->client = r;
	resp_init_body(&w->batch, batch_sink, w);
	w->r = &w->batch;
	w->fields = fields;
	w->nfields = nfields;
	w->kinds = calloc((size_t)nfields + 1, sizeof(*w->kinds));
	w->stcs = calloc((size_t)nfields + 1, sizeof(*w->stcs));
	if (w->kinds == NULL || w->stcs == NULL) {
		snprintf(w->why, sizeof(w->why), "Internal error: out of "
		    "memory");
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
	if (out->init != NULL && out->init(w) == -1) {
		tap_writer_free(w);
		return -1;
	}
	return 0;
}

void
tap_writer_free(struct tap_writer *w)
{
	if (w->client != NULL && w->pending.len > 0)
		batch_flush(w);
	if (w->batch.aborted)
		resp_abort(w->client);
	strbuf_free(&w->pending);
	free(w->kinds);
	free(w->stcs);
	strbuf_free(&w->cell);
	tap_b2_free(&w->b2);
	w->kinds = NULL;
	w->stcs = NULL;
}
