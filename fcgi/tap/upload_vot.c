#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "upload_vot_int.h"
#include "utf8.h"

/*
 * The XML, read by mxml's SAX interface into a stack of the elements that
 * matter where they are (VOTABLE, RESOURCE, the TABLE, its FIELDs, ...;
 * anything else, or anywhere else, is EL_OTHER and ignored with all it
 * holds), and the failures' sentences.  mxml cannot be told to stop, so a
 * failure, or the end of the table, moves the stream it reads to its end.
 */

enum up_el {
	EL_OTHER, EL_VOTABLE, EL_RESOURCE, EL_TABLE, EL_FIELD, EL_DATA, EL_TABLEDATA, EL_BINARY, EL_BINARY2, EL_STREAM, EL_TR, EL_TD
};

/* mxml's errors, for the reader of this thread (mxml's are per thread). */
static _Thread_local struct up_reader *reading;

/* --- Failures ------------------------------------------------------------- */

/* mxml reads no further: what it read next is the end of the stream. */
static void
halt(struct up_reader *r)
{
	if (r->fp != NULL)
		fseek(r->fp, 0, SEEK_END);
}

/* The table is read: the rest of the XML is not. */
static void
finish(struct up_reader *r)
{
	r->done = 1;
	halt(r);
}

int
up_stop(struct up_reader *r)
{
	r->failed = 1;
	halt(r);
	return -1;
}

int
up_fail(struct up_reader *r, const char *fmt, ...)
{
	va_list	 ap;

	if (r->failed)
		return -1;
	if (r->whysize > 0) {
		va_start(ap, fmt);
		vsnprintf(r->why, r->whysize, fmt, ap);
		va_end(ap);
	}
	return up_stop(r);
}

int
up_fail_cell(struct up_reader *r, int k, const char *fmt, ...)
{
	const char	*name = r->t->cols[k].name;
	char		 ex[UP_EXCERPT], rest[256];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(rest, sizeof(rest), fmt, ap);
	va_end(ap);
	return up_fail(r, "Row %ld, column \"%s\": %s", UP_ROW(r),
	    up_excerpt(name, strlen(name), ex, sizeof(ex)), rest);
}

int
up_nomem(struct up_reader *r)
{
	return up_fail(r, "Internal error: out of memory while reading the "
	    "upload.");
}

const char *
up_excerpt(const char *s, size_t n, char *buf, size_t size)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k = 0, len, max = size - 4;
	uint32_t		 cp = 0;

	while (i < n) {
		len = 1;
		if (p[i] >= 0x80 && (len = utf8_decode(p + i, n - i, &cp)) == 0)
			len = 1;
		if (k + len > max)
			break;
		/* C0, DEL and C1 controls, and a byte that is not UTF-8. */
		if (len == 1 || (cp >= 0x80 && cp < 0xa0))
			buf[k++] = p[i] < 0x20 || p[i] >= 0x7f ? '?' :
			    (char)p[i];
		else {
			memcpy(buf + k, p + i, len);
			k += len;
		}
		i += len;
	}
	if (i < n) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = '\0';
	return buf;
}

static void
xml_error(const char *msg)
{
	struct up_reader	*r = reading;
	char			 ex[124];
	size_t			 n = strlen(msg);

	if (r == NULL || r->failed || r->done)
		return;
	while (n > 0 && (msg[n - 1] == '.' || msg[n - 1] == '\n'))
		n--;
	up_fail(r, "The upload is not well-formed XML: %s.",
	    up_excerpt(msg, n, ex, sizeof(ex)));
}

/* --- Elements ------------------------------------------------------------- */

/* The FIELDs are all read: the rows may come. */
static int
end_fields(struct up_reader *r)
{
	r->fields_done = 1;
	if (r->t->ncols == 0)
		return up_fail(r, "The TABLE has no FIELD.");
	if (r->row == NULL)	/* the columns were all that was wanted */
		finish(r);
	return 0;
}

static int
open_stream(struct up_reader *r, mxml_node_t *node)
{
	const char	*enc = mxmlElementGetAttr(node, "encoding");
	char		 ex[UP_EXCERPT];

	r->have_stream = 1;
	if (mxmlElementGetAttr(node, "href") != NULL)
		return up_fail(r, "Streams given by href are not supported in "
		    "uploads: send the data inline, in base64.");
	if (enc == NULL)
		return up_fail(r, "The STREAM has no encoding: uploads need "
		    "encoding=\"base64\".");
	if (strcmp(enc, "base64") != 0)
		return up_fail(r, "The STREAM encoding \"%s\" is not supported "
		    "in uploads: use base64.", EX(enc, ex));
	b64_dec_init(&r->dec);
	strbuf_reset(&r->bin);
	return 0;
}

/* NAME without its namespace prefix. */
static const char *
local_name(const char *name)
{
	const char	*colon = strrchr(name, ':');

	return colon != NULL ? colon + 1 : name;
}

/* What element NAME is, in PARENT; EL_OTHER when nothing that matters. */
static enum up_el
classify(struct up_reader *r, int parent, const char *name,
    mxml_node_t *node)
{
	const char	*full = mxmlGetElement(node);
	char		 ex[UP_EXCERPT];

	switch (parent) {
	case -1:
		if (r->have_root) {
			up_fail(r, "The upload is not well-formed XML: it has "
			    "more than one root element.");
			return EL_OTHER;
		}
		r->have_root = 1;
		if (strcmp(name, "VOTABLE") == 0)
			return EL_VOTABLE;
		up_fail(r, "The upload is not a VOTable: its root element is "
		    "<%s>.", EX(full, ex));
		return EL_OTHER;
	case EL_VOTABLE:
	case EL_RESOURCE:
		if (strcmp(name, "RESOURCE") == 0)
			return EL_RESOURCE;
		if (parent == EL_RESOURCE && strcmp(name, "TABLE") == 0 &&
		    !r->have_table) {
			r->have_table = 1;
			return EL_TABLE;
		}
		return EL_OTHER;
	case EL_TABLE:
		if (r->have_data)	/* nothing after DATA but INFO */
			return EL_OTHER;
		if (strcmp(name, "FIELD") == 0) {
			up_begin_field(r, node);
			return EL_FIELD;
		}
		if (strcmp(name, "DATA") == 0) {
			r->have_data = 1;
			end_fields(r);
			return EL_DATA;
		}
		return EL_OTHER;
	case EL_FIELD:
		if (strcmp(name, "VALUES") == 0 &&
		    mxmlElementGetAttr(node, "null") != NULL)
			up_set_null(r, r->t->ncols - 1,
			    mxmlElementGetAttr(node, "null"));
		return EL_OTHER;
	case EL_DATA:
		if (strcmp(name, "TABLEDATA") == 0)
			return EL_TABLEDATA;
		if (strcmp(name, "BINARY") == 0 ||
		    strcmp(name, "BINARY2") == 0) {
			r->b2 = name[6] == '2';
			return r->b2 ? EL_BINARY2 : EL_BINARY;
		}
		if (strcmp(name, "FITS") == 0)
			up_fail(r, "FITS data is not supported in uploads: use "
			    "TABLEDATA, BINARY or BINARY2.");
		return EL_OTHER;
	case EL_BINARY:
	case EL_BINARY2:
		if (strcmp(name, "STREAM") != 0 || r->have_stream)
			return EL_OTHER;
		open_stream(r, node);
		return EL_STREAM;
	case EL_TABLEDATA:
		if (strcmp(name, "TR") == 0) {
			r->ntd = 0;
			up_row_begin(r);
			return EL_TR;
		}
		up_fail(r, "The TABLEDATA holds a <%s> element, where VOTable "
		    "allows only TR.", EX(full, ex));
		return EL_OTHER;
	case EL_TR:
		if (strcmp(name, "TD") == 0) {
			r->ntd++;
			strbuf_reset(&r->cell);
			return EL_TD;
		}
		up_fail(r, "Row %ld holds a <%s> element, where VOTable allows "
		    "only TD.", UP_ROW(r), EX(full, ex));
		return EL_OTHER;
	case EL_TD:
		up_fail(r, "Row %ld holds a <%s> element inside a TD, which "
		    "VOTable does not allow.", UP_ROW(r), EX(full, ex));
		return EL_OTHER;
	default:
		return EL_OTHER;
	}
}

static void
open_el(struct up_reader *r, mxml_node_t *node)
{
	struct strbuf	*st = &r->stack;
	int		 parent = st->len > 0 ?
			    (unsigned char)st->s[st->len - 1] : -1;
	unsigned char	 el;

	el = (unsigned char)(parent == EL_OTHER ? EL_OTHER :
	    classify(r, parent, local_name(mxmlGetElement(node)), node));
	if (strbuf_add(st, &el, 1) == -1)
		up_nomem(r);
}

static void
close_el(struct up_reader *r)
{
	struct strbuf	*st = &r->stack;
	int		 ncols = r->t->ncols, k;

	if (st->len == 0)
		return;
	switch (st->s[--st->len]) {
	case EL_TD:
		if ((k = r->ntd - 1) < ncols && up_cell_begin(r, k) == 0)
			up_td_cell(r, k, strbuf_str(&r->cell), r->cell.len);
		break;
	case EL_TR:
		if (r->ntd != ncols)
			up_fail(r, "Row %ld has %d TD%s for %d FIELD%s.",
			    UP_ROW(r), r->ntd, r->ntd == 1 ? "" : "s", ncols,
			    ncols == 1 ? "" : "s");
		else
			up_row_end(r);
		break;
	case EL_STREAM:
		up_bin_end(r);
		break;
	case EL_BINARY:
	case EL_BINARY2:
		if (!r->have_stream)
			up_fail(r, "The %s element has no STREAM.",
			    r->b2 ? "BINARY2" : "BINARY");
		break;
	case EL_TABLE:
		if (r->fields_done || end_fields(r) == 0)
			finish(r);
		break;
	default:
		break;
	}
}

static void
text(struct up_reader *r, const char *s)
{
	const struct strbuf	*st = &r->stack;
	size_t			 n = strlen(s);

	if (st->len == 0)
		return;
	switch (st->s[st->len - 1]) {
	case EL_TD:
		if (r->ntd > r->t->ncols ||
		    up_cell_long(r, r->ntd - 1, r->cell.len + n) == -1)
			break;
		if (strbuf_add(&r->cell, s, n) == -1)
			up_nomem(r);
		break;
	case EL_STREAM:
		up_bin_text(r, s, n);
		break;
	default:
		break;
	}
}

static void
sax(mxml_node_t *node, mxml_sax_event_t ev, void *data)
{
	struct up_reader	*r = data;
	const char		*s;

	if (r->failed || r->done)
		return;
	switch (ev) {
	case MXML_SAX_ELEMENT_OPEN:
		open_el(r, node);
		break;
	case MXML_SAX_ELEMENT_CLOSE:
		close_el(r);
		break;
	case MXML_SAX_DATA:
		if ((s = mxmlGetOpaque(node)) != NULL)
			text(r, s);
		break;
	case MXML_SAX_CDATA:
		if ((s = mxmlGetCDATA(node)) != NULL)
			text(r, s);
		break;
	default:
		break;
	}
}

/* --- The reader ----------------------------------------------------------- */

/*
 * XML's line ends (§2.11): CR LF and CR alone are LF before anything is
 * parsed, which mxml does not do; a CR as &#13; stays one.  *OWN is the
 * copy made when BUF has a CR at all.
 */
static const char *
line_ends(const char *buf, size_t *len, char **own)
{
	size_t	 n = 0;

	*own = NULL;
	if (memchr(buf, '\r', *len) == NULL)
		return buf;
	if ((*own = malloc(*len)) == NULL)
		return NULL;
	for (size_t i = 0; i < *len; i++)
		if (buf[i] != '\r')
			(*own)[n++] = buf[i];
		else if (i + 1 == *len || buf[i + 1] != '\n')
			(*own)[n++] = '\n';
	*len = n;
	return *own;
}

static int
parse(struct up_reader *r, const char *buf, size_t len)
{
	mxml_node_t	*top;
	char		*own;

	if (len == 0)
		return up_fail(r, "The upload is empty.");
	if ((buf = line_ends(buf, &len, &own)) == NULL)
		return up_nomem(r);
	/* A FILE, which can be moved to its end to stop mxml. */
	if ((r->fp = fmemopen((void *)(uintptr_t)buf, len, "r")) == NULL) {
		free(own);
		return up_nomem(r);
	}
	if ((top = mxmlNewElement(MXML_NO_PARENT, "upload")) == NULL) {
		fclose(r->fp);
		r->fp = NULL;
		free(own);
		return up_nomem(r);
	}
	reading = r;
	mxmlSetErrorCallback(xml_error);
	mxmlSAXLoadFile(top, r->fp, MXML_OPAQUE_CALLBACK, sax, r);
	mxmlSetErrorCallback(NULL);
	reading = NULL;
	mxmlDelete(top);
	fclose(r->fp);
	r->fp = NULL;
	free(own);
	if (r->failed)
		return -1;
	if (!r->have_root)
		return up_fail(r, "The upload is not a VOTable: it holds no "
		    "XML element.");
	if (!r->have_table)
		return up_fail(r, "The VOTable has no TABLE in a RESOURCE.");
	if (!r->done)
		return up_fail(r, "The upload is not well-formed XML: the "
		    "TABLE is not closed.");
	return 0;
}

int
upload_vot_read(const char *buf, size_t len, const struct upload_limits *lim,
    struct upload_table *t, upload_row_fn row, void *ctx, char *why,
    size_t whysize)
{
	static const struct upload_limits	 none;
	struct up_reader			 r;
	int					 rc;

	memset(&r, 0, sizeof(r));
	memset(t, 0, sizeof(*t));
	r.lim = lim != NULL ? lim : &none;
	r.t = t;
	r.row = row;
	r.ctx = ctx;
	r.why = why;
	r.whysize = whysize;
	if (whysize > 0)
		why[0] = '\0';
	rc = parse(&r, buf, len);
	for (int k = 0; k < t->ncols; k++)
		free(r.cols[k].snull);
	free(r.cols);
	strbuf_free(&r.stack);
	strbuf_free(&r.cell);
	strbuf_free(&r.line);
	strbuf_free(&r.bin);
	if (rc == -1)
		upload_table_free(t);
	else if (whysize > 0)
		why[0] = '\0';	/* whatever a callback left there */
	return rc;
}

int
upload_vot_columns(const char *buf, size_t len,
    const struct upload_limits *lim, struct upload_table *t, char *why,
    size_t whysize)
{
	return upload_vot_read(buf, len, lim, t, NULL, NULL, why, whysize);
}

void
upload_table_free(struct upload_table *t)
{
	for (int k = 0; k < t->ncols; k++) {
		free(t->cols[k].name);
		free(t->cols[k].datatype);
		free(t->cols[k].arraysize);
		free(t->cols[k].xtype);
		free(t->cols[k].unit);
		free(t->cols[k].ucd);
		free(t->cols[k].utype);
	}
	free(t->cols);
	memset(t, 0, sizeof(*t));
}
