#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "xmlw.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

/*
 * How many bytes of the UTF-8 sequence at S (LEN bytes left) to take, and
 * whether they must be replaced (*BAD).  A malformed byte is taken alone;
 * the well-formed non-characters U+FFFE and U+FFFF, which XML 1.0 forbids,
 * are taken whole.
 */
static size_t
utf8_take(const unsigned char *s, size_t len, int *bad)
{
	uint32_t	 cp;
	size_t		 n = utf8_decode(s, len, &cp);

	*bad = n == 0 || cp == 0xfffe || cp == 0xffff;
	return n == 0 ? 1 : n;
}

/*
 * The replacement for ASCII byte C, or NULL when C passes as it is.
 * ATTR: 0 text, 1 attribute value.
 */
static const char *
xml_entity(unsigned char c, int attr)
{
	switch (c) {
	case '&':  return "&amp;";
	case '<':  return "&lt;";
	case '>':  return "&gt;";
	case '"':  return attr ? "&quot;" : NULL;
	/* In attributes these would be normalised to spaces by the reader. */
	case '\t': return attr ? "&#9;" : NULL;
	case '\n': return attr ? "&#10;" : NULL;
	case '\r': return attr ? "&#13;" : NULL;
	default:   return c < 0x20 ? "" : NULL;	/* forbidden: dropped */
	}
}

int
xml_escape(struct strbuf *out, const char *str, size_t len, int attr)
{
	const unsigned char	*s = (const unsigned char *)str;
	const char		*ent;
	size_t			 i = 0, run = 0, n;
	int			 bad;

	while (i < len) {
		if (s[i] < 0x80) {
			if ((ent = xml_entity(s[i], attr)) == NULL) {
				i++;
				continue;
			}
			n = 1;
		} else {
			if ((n = utf8_take(s + i, len - i, &bad)) > 0 && !bad) {
				i += n;
				continue;
			}
			ent = REPLACEMENT;
		}
		if (strbuf_add(out, s + run, i - run) == -1 ||
		    strbuf_puts(out, ent) == -1)
			return -1;
		i += n;
		run = i;
	}
	return strbuf_add(out, s + run, i - run);
}

void
xmlw_init(struct xmlw *w, struct response *resp)
{
	memset(w, 0, sizeof(*w));
	w->resp = resp;
}

void
xmlw_decl(struct xmlw *w)
{
	resp_puts(w->resp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

/* Write the escaped form of S; most values need no escaping at all. */
static void
xmlw_escaped(struct xmlw *w, const char *s, size_t len, int attr)
{
	struct strbuf	 b = STRBUF_INIT;
	size_t		 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 || xml_entity(c, attr) != NULL)
			break;
	}
	if (i == len) {
		resp_write(w->resp, s, len);
		return;
	}
	if (xml_escape(&b, s, len, attr) == 0)
		resp_write(w->resp, b.s, b.len);
	strbuf_free(&b);
}

static void
xmlw_tag(struct xmlw *w, const char *elem, va_list ap, const char *end)
{
	const char	*name, *value;

	resp_puts(w->resp, "<");
	resp_puts(w->resp, elem);
	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (value == NULL)
			continue;
		resp_puts(w->resp, " ");
		resp_puts(w->resp, name);
		resp_puts(w->resp, "=\"");
		xmlw_escaped(w, value, strlen(value), 1);
		resp_puts(w->resp, "\"");
	}
	resp_puts(w->resp, end);
}

void
xmlw_open(struct xmlw *w, const char *elem, ...)
{
	va_list	 ap;

	if (w->depth == XMLW_DEPTH) {
		w->overflow = 1;
		return;
	}
	va_start(ap, elem);
	xmlw_tag(w, elem, ap, ">");
	va_end(ap);
	w->stack[w->depth++] = elem;
}

void
xmlw_empty(struct xmlw *w, const char *elem, ...)
{
	va_list	 ap;

	va_start(ap, elem);
	xmlw_tag(w, elem, ap, "/>");
	va_end(ap);
}

void
xmlw_elem(struct xmlw *w, const char *elem, const char *text, ...)
{
	va_list	 ap;

	va_start(ap, text);
	xmlw_tag(w, elem, ap, ">");
	va_end(ap);
	if (text != NULL)
		xmlw_escaped(w, text, strlen(text), 0);
	resp_puts(w->resp, "</");
	resp_puts(w->resp, elem);
	resp_puts(w->resp, ">");
}

void
xmlw_text(struct xmlw *w, const char *s)
{
	xmlw_escaped(w, s, strlen(s), 0);
}

void
xmlw_textn(struct xmlw *w, const char *s, size_t len)
{
	xmlw_escaped(w, s, len, 0);
}

void
xmlw_raw(struct xmlw *w, const char *s)
{
	resp_puts(w->resp, s);
}

void
xmlw_close(struct xmlw *w)
{
	if (w->depth == 0)
		return;
	w->depth--;
	resp_puts(w->resp, "</");
	resp_puts(w->resp, w->stack[w->depth]);
	resp_puts(w->resp, ">\n");
}

void
xmlw_close_all(struct xmlw *w)
{
	while (w->depth > 0)
		xmlw_close(w);
}

static int
snapshot_sink(void *ctx, const void *buf, size_t len)
{
	return strbuf_add(ctx, buf, len);
}

int
xmlw_record(struct xmlw_snapshot *snap,
    void (*write)(struct xmlw *, const void *ctx), const void *ctx)
{
	struct response	 r;
	struct xmlw	 w;

	memset(snap, 0, sizeof(*snap));
	resp_init_body(&r, snapshot_sink, &snap->text);
	xmlw_init(&w, &r);
	write(&w, ctx);
	memcpy(snap->stack, w.stack, sizeof(snap->stack));
	snap->depth = w.depth;
	return resp_failed(&r) || w.overflow ? -1 : 0;
}

void
xmlw_replay(struct xmlw *w, const struct xmlw_snapshot *snap)
{
	resp_write(w->resp, strbuf_str(&snap->text), snap->text.len);
	memcpy(w->stack, snap->stack, sizeof(w->stack));
	w->depth = snap->depth;
}

void
xmlw_snapshot_free(struct xmlw_snapshot *snap)
{
	strbuf_free(&snap->text);
}
